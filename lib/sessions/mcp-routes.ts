// The worker channel's MCP routes (lib/protocol/mcp.ts): the session's remote servers' tools and
// one call on them, served by the host's hub (lib/mcp/remote-hub.ts), which holds the urls and
// credentials. The body is hostile: bounded, validated, counted against the session's rate; the
// server must be one of this session's remote servers (the hub checks it against the snapshot).
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { remoteMcpHub } from "../mcp/remote-hub";
import { RemoteMcpCallSchema } from "../protocol/mcp";
import { readBody, send } from "./channel-http";
import type { ChannelHandlers } from "./channel-routes";

type McpCtx = { req: IncomingMessage; res: ServerResponse; h: ChannelHandlers };

/** A call's arguments are a tool input: at most 256 KB of JSON, like a built-in tool's. */
const CALL_BODY = 300 * 1024;

export const MCP_ROUTES = [
  { method: "GET" as const, path: /^\/worker\/mcp\/remote$/, handle: getRemote },
  { method: "POST" as const, path: /^\/worker\/mcp\/call$/, handle: postCall },
];

async function getRemote({ res, h }: McpCtx): Promise<void> {
  const wait = h.rate(1, 0);
  if (wait) return send(res, 429, { error: `too many requests from this session: retry in ${wait} s` }, { "retry-after": String(wait) });
  send(res, 200, await remoteMcpHub().tools(h.config().sessionId));
}

async function postCall({ req, res, h }: McpCtx): Promise<void> {
  const raw = await readBody(req, CALL_BODY);
  const wait = h.rate(1, raw.length);
  if (wait) return send(res, 429, { error: `too many requests from this session: retry in ${wait} s` }, { "retry-after": String(wait) });
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch {
    return send(res, 400, { error: "the body is not JSON" });
  }
  const call = RemoteMcpCallSchema.safeParse(json);
  if (!call.success) return send(res, 422, { error: z.prettifyError(call.error).slice(0, 2000) });
  send(res, 200, await remoteMcpHub().call(h.config().sessionId, call.data));
}
