import { describe, expect, it } from "vitest";
import type { EventDataOf, EventType, SessionEvent } from "../../lib/events/schema";
import { cleanTerminalText, utf8Length } from "./output-buffer";
import { acceptBatch, applyEvents, currentStatus, EMPTY_TRANSCRIPT, isQuietTool, pendingApprovals, type ApprovalItem, type SetupItem, type ToolItem } from "./transcript";

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

describe("agent signals", () => {
  const retry = (seq: number, attempt: number, waitMs = 8000) => ev(seq, "model.retry", { attempt, waitMs, reason: "model overloaded (529)", status: 529 });

  it("folds consecutive retries into one line that updates, and settles it when anything follows", () => {
    const second = retry(3, 2, 8000);
    const a = applyEvents(EMPTY_TRANSCRIPT, [ev(1, "user.message", { text: "go" }), retry(2, 1, 2000), second]);
    expect(a.items.map((i) => i.kind)).toEqual(["user", "retry"]);
    // The wait counts from the latest retry.
    expect(a.items[1]).toMatchObject({ seq: 2, attempt: 2, waitMs: 8000, retries: 2, settled: false, at: second.ts });
    // Across batches too, and the line keeps its first seq (its React key).
    const b = applyEvents(a, [retry(4, 3, 16000)]);
    expect(b.items).toHaveLength(2);
    expect(b.items[1]).toMatchObject({ seq: 2, attempt: 3, retries: 3, settled: false });
    expect(a.items[1]).toMatchObject({ attempt: 2 });
    const c = applyEvents(b, [ev(5, "assistant.text", { block: "b", text: "hi" }), retry(6, 1)]);
    expect(c.items.map((i) => i.kind)).toEqual(["user", "retry", "assistant", "retry"]);
    expect(c.items[1]).toMatchObject({ settled: true, retries: 3 });
    expect(c.items[3]).toMatchObject({ settled: false, retries: 1 });
  });

  it("keeps what went wrong and leaves the wait to the view", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [ev(1, "model.retry", { attempt: 1, waitMs: 8000, reason: "model overloaded (529), retrying in 8 s (the answer so far is discarded and starts over)", status: 529 })]);
    expect(s.items[0]).toMatchObject({ kind: "retry", reason: "model overloaded (529) (the answer so far is discarded and starts over)" });
  });

  it("shows compactions with their figures and summary", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "compaction", { strategy: "clear_tool_results", tokensBefore: 182_000, tokensAfter: 90_000, cleared: 12 }),
      ev(2, "compaction", { strategy: "summary", tokensBefore: 150_000, tokensAfter: 41_000, summary: "Task: fix\x1b[31m it" }),
    ]);
    expect(s.items).toMatchObject([
      { kind: "compaction", strategy: "clear_tool_results", tokensBefore: 182_000, tokensAfter: 90_000, cleared: 12 },
      { kind: "compaction", strategy: "summary", summary: "Task: fix␛[31m it" },
    ]);
  });

  it("keeps the latest todo list and adds transcript lines only for a new plan and its completion", () => {
    const list = (...st: ("pending" | "in_progress" | "completed")[]) => ({ items: st.map((status, i) => ({ content: `step ${i + 1}`, status })) });
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "todo", list("in_progress", "pending", "pending")),
      ev(2, "todo", list("completed", "in_progress", "pending")),
      ev(3, "todo", list("completed", "completed", "in_progress")),
      ev(4, "todo", list("completed", "completed", "completed")),
      ev(5, "todo", list("completed", "completed", "completed")),
      ev(6, "todo", list("in_progress", "pending")),
    ]);
    expect(s.items.map((i) => (i.kind === "todo" ? `${i.seq}:${i.phase}` : i.kind))).toEqual(["1:plan", "4:done", "6:plan"]);
    expect(s.todos).toEqual(list("in_progress", "pending").items);
    const cleared = applyEvents(s, [ev(7, "todo", { items: [] })]);
    expect(cleared.todos).toEqual([]);
    expect(cleared.items).toHaveLength(3);
  });

  it("keeps plan updates that worked out of the way, and shows one that failed", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "tool.call", { callId: "a", name: "todo_write", input: { items: [] } }),
      ev(2, "tool.result", { callId: "a", isError: false, output: "Todo list updated", truncated: false, durationMs: 1 }),
      ev(3, "tool.call", { callId: "b", name: "todo_write", input: { items: "nope" } }),
      ev(4, "tool.result", { callId: "b", isError: true, output: "items: expected array", truncated: false, durationMs: 1 }),
      ev(5, "tool.call", { callId: "c", name: "shell", input: { command: "ls" } }),
    ]);
    expect([tool(s.items, "a")!, tool(s.items, "b")!, tool(s.items, "c")!].map(isQuietTool)).toEqual([true, false, false]);
  });

  it("shows a model refusal as a refusal, other errors as errors", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "error", { message: "The model refused to continue (stop reason: refusal).", source: "model" }),
      ev(2, "error", { message: "Model call failed after 5 attempts: overloaded", source: "model" }),
      ev(3, "error", { message: "refused to write outside the workspace", source: "tool" }),
      ev(4, "error", { message: "Model call failed: refused (400)", source: "model" }),
      ev(5, "error", { message: "The model declined to continue (refusal). Its partial answer is not kept.", source: "model" }),
    ]);
    expect(s.items.map((i) => i.kind)).toEqual(["refusal", "error", "error", "error", "refusal"]);
  });

  it("sums the cost of usage events", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "usage", { model: "m", inputTokens: 1, outputTokens: 1, costUsd: 0.25 }),
      ev(2, "usage", { model: "m", inputTokens: 1, outputTokens: 1 }),
      ev(3, "usage", { model: "m", inputTokens: 1, outputTokens: 1, costUsd: 0.5 }),
    ]);
    expect(s.costUsd).toBeCloseTo(0.75);
  });

  it("makes hostile bytes visible in every text it shows", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "user.message", { text: "hi\0there\x1b]0;pwn\x07" }),
      ev(2, "assistant.text", { block: "b", text: "a\x1b[2J" }),
      ev(3, "assistant.text", { block: "b", text: "b\uD800c" }),
      ev(4, "tool.call", { callId: "c", name: "read_file", input: { path: "evil\x1b[31m\0.txt", nested: ["\x07"] } }),
      ev(5, "tool.output", { callId: "c", stream: "stdout", text: "a\0b\x1b[32mgreen\x1b[0m\x1b[H" }),
      ev(6, "error", { message: "bad\x08 byte", source: "tool" }),
      ev(7, "status", { status: "idle", reason: "why\0" }),
    ]);
    expect(s.items[0]).toMatchObject({ text: "hi␀there␛]0;pwn␇" });
    expect(s.items[1]).toMatchObject({ text: "a␛[2Jb\uFFFDc" });
    expect(tool(s.items, "c")!.input).toEqual({ path: "evil␛[31m␀.txt", nested: ["␇"] });
    expect(outputText(tool(s.items, "c")!)).toBe("a␀bgreen␛[H");
    expect(s.items[3]).toMatchObject({ message: "bad␈ byte" });
    expect(s.statusReason).toBe("why␀");
  });
});

describe("setup and egress", () => {
  const setups = (items: readonly unknown[]) => items.filter((i): i is SetupItem => (i as SetupItem).kind === "setup");
  const setupText = (t: SetupItem) => t.output.chunks.map((c) => c.text).join("");

  it("folds a setup phase into one block: running, its output (made safe), then its outcome", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "setup", { state: "running", source: "repository" }),
      ev(2, "setup.output", { stream: "stdout", text: "npm ci\x1b[32m ok\x1b[0m\r\n" }),
      ev(3, "setup.output", { stream: "stderr", text: "warn \x1b]0;pwn\x07\n" }),
      ev(4, "setup", { state: "failed", exitCode: 1, durationMs: 4200, reason: "exit 1: \x1b[2Jtail" }),
      ev(5, "status", { status: "failed", reason: "setup failed" }),
    ]);
    const [block] = setups(s.items);
    expect(setups(s.items)).toHaveLength(1);
    expect(block).toMatchObject({ state: "failed", source: "repository", exitCode: 1, durationMs: 4200, reason: "exit 1: ␛[2Jtail" });
    expect(block.interrupted).toBeFalsy();
    expect(setupText(block)).toBe("npm ci ok\nwarn ␛]0;pwn␇\n");
    expect(block.output.chunks.map((c) => c.stream)).toEqual(["stdout", "stderr"]);
  });

  it("shows a restored snapshot or a skipped setup as a block of its own, and stops a running one's spinner when the session stops", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "setup", { state: "cached", source: "team", reason: "restored" }),
      ev(2, "setup", { state: "running", source: "team" }),
      ev(3, "status", { status: "stopped" }),
    ]);
    expect(setups(s.items).map((b) => [b.state, b.interrupted ?? false])).toEqual([["cached", false], ["running", true]]);
    const again = applyEvents(s, [ev(4, "setup", { state: "running" }), ev(5, "setup", { state: "ok", durationMs: 10 })]);
    expect(setups(again.items).map((b) => b.state)).toEqual(["cached", "running", "ok"]);
  });

  it("folds refusals of one host:port in a row into one counted line", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "egress.blocked", { host: "evil.example.com", port: 443, phase: "agent", reason: "not in the allowlist" }),
      ev(2, "egress.blocked", { host: "evil.example.com", port: 443, phase: "agent", reason: "not in the allowlist", repeats: 4 }),
      ev(3, "egress.blocked", { host: "10.0.0.1", port: 80, phase: "setup", reason: "private address" }),
      ev(4, "egress.blocked", { host: "evil.example.com", port: 443, phase: "agent", reason: "not in the allowlist" }),
    ]);
    expect(s.items.map((i) => (i.kind === "egress" ? [i.host, i.port, i.phase, i.count] : i.kind))).toEqual([
      ["evil.example.com", 443, "agent", 6],
      ["10.0.0.1", 80, "setup", 1],
      ["evil.example.com", 443, "agent", 1],
    ]);
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
  it("drops colours, shows other escapes and controls, and normalizes carriage returns", () => {
    expect(cleanTerminalText("\x1b[1;31mred\x1b[0m \x1b]0;title\x07done\r\n50%\r100%")).toBe("red ␛]0;title␇done\n50%\n100%");
    expect(cleanTerminalText("a\0b\x1b[2Jc\uFFFD")).toBe("a␀b␛[2Jc\uFFFD");
  });

  it("counts UTF-8 bytes", () => {
    expect(utf8Length("aé€😀")).toBe(1 + 2 + 3 + 4);
  });
});

describe("approvals, modes and hooks", () => {
  it("keeps a card per approval, updated in place by its decision; the waiting call is not interrupted", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "tool.call", { callId: "c1", name: "shell", input: { command: "npm test" } }),
      ev(2, "approval.requested", { approvalId: "a1", callId: "c1", kind: "tool", tool: "shell", input: { command: "npm test" }, reason: "mode ask" }),
      ev(3, "status", { status: "awaiting_approval" }),
    ]);
    expect(pendingApprovals(s).map((a) => a.approvalId)).toEqual(["a1"]);
    expect(tool(s.items, "c1")?.interrupted).toBeUndefined();
    const d = applyEvents(s, [
      ev(4, "approval.decided", { approvalId: "a1", callId: "c1", decision: "denied", by: "Bo", message: "not now" }),
      ev(5, "approval.requested", { approvalId: "a1", callId: "c1", kind: "tool", tool: "shell", input: { command: "npm test" }, reason: "mode ask" }),
    ]);
    const cards = d.items.filter((i): i is ApprovalItem => i.kind === "approval");
    expect(cards).toHaveLength(1);
    expect(cards[0].decision).toMatchObject({ decision: "denied", by: "Bo", message: "not now" });
    expect(pendingApprovals(d)).toEqual([]);
  });

  it("records mode changes and hooks", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev(1, "mode", { mode: "ask", by: "Al" }),
      ev(2, "hook", { hook: "pre_tool", command: "./check.sh", callId: "c1", exitCode: 1, output: "no\u001b[2J", blocked: true }),
    ]);
    expect(s.mode).toBe("ask");
    expect(s.items.map((i) => i.kind)).toEqual(["mode", "hook"]);
    expect(s.items[1]).toMatchObject({ kind: "hook", blocked: true, exitCode: 1 });
    expect((s.items[1] as { output: string }).output).not.toContain("\u001b");
  });
});
