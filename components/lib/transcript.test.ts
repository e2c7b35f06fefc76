import { describe, expect, it } from "vitest";
import type { EventDataOf, EventType, SessionEvent } from "../../lib/events/schema";
import { cleanTerminalText, utf8Length } from "./output-buffer";
import { acceptBatch, applyEvents, currentStatus, EMPTY_TRANSCRIPT, type ToolItem } from "./transcript";

let clock = 0;
function ev<T extends EventType>(seq: number, type: T, data: EventDataOf<T>): SessionEvent {
  clock += 1;
  return { seq, type, data, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, clock)).toISOString() } as SessionEvent;
}

const tool = (items: readonly unknown[], callId: string) =>
  items.find((i): i is ToolItem => (i as ToolItem).kind === "tool" && (i as ToolItem).callId === callId);

const outputText = (t: ToolItem) => t.output.chunks.map((c) => c.text).join("");

describe("applyEvents", () => {
  it("merges assistant text pieces by block, in seq order, even across other events", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "user.message", { text: "fix it" }),
      ev(2, "assistant.text", { block: "b1", text: "Hello" }),
      ev(4, "assistant.text", { block: "b2", text: "Second" }),
      ev(3, "tool.call", { callId: "c1", name: "bash", input: { command: "ls" } }),
      ev(5, "assistant.text", { block: "b1", text: ", world" }),
    ]);
    const texts = s.items.filter((i) => i.kind === "assistant");
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatchObject({ block: "b1", text: "Hello, world" });
    expect(texts[1]).toMatchObject({ block: "b2", text: "Second" });
    expect(s.items.map((i) => i.kind)).toEqual(["user", "assistant", "tool", "assistant"]);
  });

  it("merges across batches and leaves the previous state untouched", () => {
    const a = applyEvents(EMPTY_TRANSCRIPT, [ev(1, "assistant.text", { block: "b", text: "ab" })]);
    const b = applyEvents(a, [ev(2, "assistant.text", { block: "b", text: "cd" })]);
    expect(a.items[0]).toMatchObject({ text: "ab" });
    expect(b.items[0]).toMatchObject({ text: "abcd" });
  });

  it("ignores events at or below the last seq held (replays, repeats)", () => {
    const first = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "user.message", { text: "go" }),
      ev(2, "assistant.text", { block: "b", text: "x" }),
    ]);
    const again = applyEvents(first, [
      ev(1, "user.message", { text: "go" }),
      ev(2, "assistant.text", { block: "b", text: "x" }),
      ev(3, "assistant.text", { block: "b", text: "y" }),
      ev(3, "assistant.text", { block: "b", text: "y" }),
    ]);
    expect(again.items).toHaveLength(2);
    expect(again.items[1]).toMatchObject({ text: "xy" });
    expect(again.lastSeq).toBe(3);
    expect(applyEvents(again, [ev(2, "user.message", { text: "late" })])).toBe(again);
  });

  it("attaches output and result to their tool call", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "tool.call", { callId: "c1", name: "bash", input: { command: "make" } }),
      ev(2, "tool.output", { callId: "c1", stream: "stdout", text: "\x1b[32mok\x1b[0m\n" }),
      ev(3, "tool.output", { callId: "c1", stream: "stderr", text: "warn\r\n" }),
      ev(4, "tool.result", { callId: "c1", isError: false, exitCode: 0, output: "ok", truncated: false, durationMs: 12 }),
    ]);
    const t = tool(s.items, "c1")!;
    expect(s.items).toHaveLength(1);
    expect(t.output.chunks.map((c) => [c.stream, c.text])).toEqual([
      ["stdout", "ok\n"],
      ["stderr", "warn\n"],
    ]);
    expect(t.result).toMatchObject({ exitCode: 0, durationMs: 12 });
  });

  it("keeps only the tail of a huge output and counts what it dropped", () => {
    const cap = 1_000;
    const line = "0123456789abcdefghi\n"; // 20 bytes
    let s = EMPTY_TRANSCRIPT;
    s = applyEvents(s, [ev(1, "tool.call", { callId: "c", name: "bash", input: { command: "yes" } })], { outputCap: cap });
    let seq = 2;
    for (let batch = 0; batch < 50; batch++) {
      const events = Array.from({ length: 100 }, () => ev(seq++, "tool.output", { callId: "c", stream: "stdout", text: line }));
      s = applyEvents(s, events, { outputCap: cap });
    }
    const t = tool(s.items, "c")!;
    const total = 5_000 * line.length;
    expect(t.output.chars).toBeLessThanOrEqual(cap);
    expect(outputText(t).length).toBe(t.output.chars);
    expect(t.output.droppedBytes + t.output.chars).toBe(total);
    // Trimmed on a line boundary, and the newest line is last.
    expect(outputText(t).startsWith("0123")).toBe(true);
    expect(outputText(t).endsWith(line)).toBe(true);
  });

  it("marks calls without a result as interrupted when the session stops working", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "tool.call", { callId: "c1", name: "bash", input: { command: "sleep 100" } }),
      ev(2, "status", { status: "stopped", reason: "stopped by user" }),
    ]);
    expect(tool(s.items, "c1")!.interrupted).toBe(true);
  });

  it("derives the current status from the latest status event, else the DTO", () => {
    expect(currentStatus(EMPTY_TRANSCRIPT, "queued")).toBe("queued");
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "status", { status: "starting" }),
      ev(2, "status", { status: "running" }),
      ev(3, "status", { status: "failed", reason: "container exited 137" }),
    ]);
    expect(currentStatus(s, "running")).toBe("failed");
    expect(s.statusReason).toBe("container exited 137");
    expect(s.items.filter((i) => i.kind === "status")).toHaveLength(3);
  });

  it("sums usage and counts commits without adding transcript items for usage", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "usage", { model: "m", inputTokens: 100, outputTokens: 20 }),
      ev(2, "usage", { model: "m", inputTokens: 50, outputTokens: 5, cacheReadTokens: 7, cacheWriteTokens: 3 }),
      ev(3, "commit", { sha: "a".repeat(40), message: "feat: x\n\nbody", filesChanged: 2, insertions: 10, deletions: 3 }),
      ev(4, "error", { message: "boom", source: "worker" }),
    ]);
    expect(s.inputTokens).toBe(160);
    expect(s.outputTokens).toBe(25);
    expect(s.commits).toBe(1);
    expect(s.items.map((i) => i.kind)).toEqual(["commit", "error"]);
  });
});

describe("acceptBatch", () => {
  const seqs = (...n: number[]) => n.map((seq) => ({ seq }));

  it("drops repeats and accepts the continuation", () => {
    expect(acceptBatch(3, seqs(2, 3, 4, 5))).toEqual({ accepted: seqs(4, 5), lastSeq: 5, gap: false });
  });

  it("stops at a gap so the caller can resubscribe from the last seq held", () => {
    expect(acceptBatch(3, seqs(4, 6, 7))).toEqual({ accepted: seqs(4), lastSeq: 4, gap: true });
  });

  it("sorts out-of-order arrivals", () => {
    expect(acceptBatch(0, seqs(2, 1, 3)).lastSeq).toBe(3);
  });
});

describe("terminal text", () => {
  it("strips ANSI escapes and normalizes carriage returns", () => {
    expect(cleanTerminalText("\x1b[1;31mred\x1b[0m \x1b]0;title\x07done\r\n50%\r100%")).toBe("red done\n50%\n100%");
  });

  it("counts UTF-8 bytes", () => {
    expect(utf8Length("aé€😀")).toBe(1 + 2 + 3 + 4);
  });
});
