// A hostile stdio MCP server's stderr reaches the host as mcp.stderr events: they count toward the
// session's output cap like a command's output, so they cannot flood the event store.
import { describe, expect, it } from "vitest";
import { planWorkerBatch } from "../../lib/sessions/worker-events";
import type { WorkerEventBatch } from "../../lib/protocol/worker";

const stderr = (wid: number, text: string) => ({ wid, type: "mcp.stderr", data: { server: "fixture", text } });
const policy = { stopAsked: false, outputCapBytes: 1000n, dropped: new Map<string, number>() };

describe("mcp.stderr and the session's output cap", () => {
  it("counts stderr bytes, stores up to the cap, then drops the rest with one note", () => {
    const batch = Array.from({ length: 10 }, (_, i) => stderr(i + 1, "x".repeat(300))) as WorkerEventBatch["events"];
    const plan = planWorkerBatch(batch, { status: "running", workerAck: 0, outputBytes: 0n }, policy);
    const kept = plan.events.filter((e) => e.type === "mcp.stderr");
    expect(kept).toHaveLength(3);
    expect(plan.outputBytes).toBe(3000n);
    const notes = plan.events.filter((e) => e.type !== "mcp.stderr");
    expect(notes).toHaveLength(1);
    expect(JSON.stringify(notes[0])).toContain("no longer stored");
    // stderr is tracked by no tool call: nothing is left waiting for a tool.result.
    expect(plan.dropped.size).toBe(0);
  });
  it("a session already at its cap stores no more stderr", () => {
    const plan = planWorkerBatch([stderr(5, "late")] as WorkerEventBatch["events"], { status: "running", workerAck: 4, outputBytes: 2000n }, policy);
    expect(plan.events.filter((e) => e.type === "mcp.stderr")).toHaveLength(0);
  });
});
