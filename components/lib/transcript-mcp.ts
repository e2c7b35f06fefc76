// The MCP servers' part of the transcript fold: a line per state change, and each server's
// stderr in a bounded terminal (consecutive pieces of one server fold into one block).
import type { EventDataOf } from "../../lib/events/schema";
import { terminalText, visibleText } from "../../lib/text/visible";
import { appendOutput, EMPTY_OUTPUT } from "./output-buffer";
import type { Base, McpItem, TranscriptItem } from "./transcript-items";

interface Draft {
  items: TranscriptItem[];
}

export function applyMcpServer(s: Draft, base: Base, d: EventDataOf<"mcp.server">): void {
  s.items.push({
    ...base,
    kind: "mcp",
    server: visibleText(d.server),
    serverKind: d.kind,
    state: d.state,
    tools: d.tools?.map(visibleText),
    skipped: d.skipped?.map((k) => ({ tool: visibleText(k.tool), reason: visibleText(k.reason) })),
    reason: d.reason === undefined ? undefined : terminalText(d.reason),
  });
}

export function applyMcpStderr(s: Draft, base: Base, d: EventDataOf<"mcp.stderr">, cap: number): void {
  const server = visibleText(d.server);
  const last = s.items[s.items.length - 1];
  if (last?.kind === "mcp-stderr" && last.server === server) {
    s.items[s.items.length - 1] = { ...last, output: appendOutput(last.output, "stderr", d.text, cap) };
    return;
  }
  s.items.push({ ...base, kind: "mcp-stderr", server, output: appendOutput(EMPTY_OUTPUT, "stderr", d.text, cap) });
}

/** The session's MCP servers as their latest events left them: what the Tools panel lists. */
export function mcpServers(items: readonly TranscriptItem[]): McpItem[] {
  const latest = new Map<string, McpItem>();
  for (const item of items) {
    if (item.kind !== "mcp") continue;
    const prev = latest.get(item.server);
    // A restart or stop keeps the tools the server gave the session at its start.
    latest.set(item.server, { ...item, tools: item.tools ?? prev?.tools, skipped: item.skipped ?? prev?.skipped });
  }
  return [...latest.values()];
}
