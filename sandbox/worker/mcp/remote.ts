// Remote MCP servers, through the host (lib/protocol/mcp.ts): the host holds their URLs and
// credentials and connects where the egress policy allows; the worker only lists and calls.
import { RemoteMcpResultSchema, RemoteMcpToolsSchema, type RemoteMcpTools } from "../../../lib/protocol/mcp";
import { refusal } from "../agent-host";
import type { Channel } from "../channel";
import type { CallOutcome } from "./stdio-server";

export type McpChannel = Pick<Channel, "call">;

export async function listRemote(channel: McpChannel, signal: AbortSignal, timeoutMs: number): Promise<RemoteMcpTools> {
  return RemoteMcpToolsSchema.parse(await channel.call("GET", "/worker/mcp/remote", undefined, { signal, timeoutMs }));
}

export async function callRemote(
  channel: McpChannel,
  call: { server: string; tool: string; arguments: Record<string, unknown>; callId: string },
  opts: { signal: AbortSignal; timeoutMs: number },
): Promise<CallOutcome> {
  try {
    const answer = RemoteMcpResultSchema.parse(await channel.call("POST", "/worker/mcp/call", call, opts));
    return { text: answer.text, isError: answer.isError };
  } catch (err) {
    if (opts.signal.aborted) throw err;
    const said = refusal(err);
    return { isError: true, text: `The MCP server ${call.server} could not be reached through the host: ${said ?? (err instanceof Error ? err.message : String(err))}` };
  }
}
