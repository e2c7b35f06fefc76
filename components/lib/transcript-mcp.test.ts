import { describe, expect, it } from "vitest";
import type { EventDataOf, EventType, SessionEvent } from "../../lib/events/schema";
import { applyEvents, EMPTY_TRANSCRIPT, type McpStderrItem } from "./transcript";
import { mcpServers } from "./transcript-mcp";

const ts = "2026-12-01T00:00:00.000Z";
const ev = <T extends EventType>(seq: number, type: T, data: EventDataOf<T>) => ({ seq, ts, type, data }) as SessionEvent;

describe("MCP servers in the transcript", () => {
  it("shows each state change as a line and folds a server's consecutive stderr into one block", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "mcp.stderr", { server: "gh", text: "starting\n" }),
      ev(2, "mcp.stderr", { server: "gh", text: "listening\n" }),
      ev(3, "mcp.server", { server: "gh", kind: "stdio", state: "ready", tools: ["mcp__gh__issues"], skipped: [{ tool: "x", reason: "bad schema" }] }),
      ev(4, "mcp.server", { server: "web", kind: "remote", state: "failed", reason: "refused by the egress policy" }),
      ev(5, "mcp.stderr", { server: "gh", text: "crashed\x1b[31m!\n" }),
      ev(6, "mcp.server", { server: "gh", kind: "stdio", state: "restarted", reason: "it exited (exit code 1)" }),
    ]);
    expect(s.items.map((i) => i.kind)).toEqual(["mcp-stderr", "mcp", "mcp", "mcp-stderr", "mcp"]);
    const first = s.items[0] as McpStderrItem;
    expect(first.output.chunks.map((c) => c.text).join("")).toBe("starting\nlistening\n");
    expect(s.items[2]).toMatchObject({ kind: "mcp", server: "web", serverKind: "remote", state: "failed", reason: "refused by the egress policy" });

    // The Tools panel: each server's latest state, with the tools it gave the session at its start.
    expect(mcpServers(s.items).map((m) => [m.server, m.state, m.tools])).toEqual([
      ["gh", "restarted", ["mcp__gh__issues"]],
      ["web", "failed", undefined],
    ]);
  });
});
