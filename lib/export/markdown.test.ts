// The Markdown renderer alone (no database): the agent-loop signals and hostile bytes.
import { describe, expect, it } from "vitest";
import type { EventDataOf, EventType, SessionEvent } from "../events/schema";
import { createMarkdownRenderer } from "./markdown";

let seq = 0;
const e = <T extends EventType>(type: T, data: EventDataOf<T>) => ({ seq: ++seq, type, data, ts: "2026-01-01T00:00:00.000Z" }) as SessionEvent;

function renderAll(events: SessionEvent[]): string {
  const r = createMarkdownRenderer();
  return events.map((x) => r.render(x)).join("") + r.finish();
}

describe("markdown signals", () => {
  it("writes consecutive retries as one line before what ended the wait", () => {
    const md = renderAll([
      e("model.retry", { attempt: 1, waitMs: 2000, reason: "model overloaded (529)", status: 529 }),
      e("model.retry", { attempt: 2, waitMs: 8000, reason: "model overloaded (529), retrying in 8 s", status: 529 }),
      e("assistant.text", { block: "b", text: "Back." }),
      e("model.retry", { attempt: 1, waitMs: 1000, reason: "rate limited (429)", status: 429 }),
    ]);
    expect(md).toBe(
      "_Model overloaded (529): waited 10 s in all and retried 2 times._\n\n### Assistant\n\nBack.\n\n_Rate limited (429): waited 1 s and retried._\n\n",
    );
  });

  it("writes compactions, with the summary quoted", () => {
    const md = renderAll([
      e("compaction", { strategy: "clear_tool_results", tokensBefore: 182_000, tokensAfter: 90_000, cleared: 12 }),
      e("compaction", { strategy: "summary", tokensBefore: 182_000, tokensAfter: 41_000, summary: "Task: fix\n\nDone: a" }),
    ]);
    expect(md).toContain("_Context compacted: 182,000 → 90,000 tokens (12 old tool results cleared)._");
    expect(md).toContain("_Context compacted: 182,000 → 41,000 tokens (summary)._\n\n> **Summary the agent carries on from:**\n>\n> Task: fix\n>\n> Done: a\n\n");
  });

  it("writes a new plan and its completion, not every update", () => {
    const md = renderAll([
      e("todo", { items: [{ content: "read", status: "in_progress" }, { content: "fix", status: "pending" }] }),
      e("todo", { items: [{ content: "read", status: "completed" }, { content: "fix", status: "in_progress" }] }),
      e("tool.call", { callId: "t", name: "todo_write", input: { items: [] } }),
      e("tool.result", { callId: "t", isError: false, output: "Todo list updated", truncated: false, durationMs: 1 }),
      e("todo", { items: [{ content: "read", status: "completed" }, { content: "fix", status: "completed" }] }),
      e("tool.call", { callId: "u", name: "todo_write", input: { items: "x" } }),
      e("tool.result", { callId: "u", isError: true, output: "items: expected an array", truncated: false, durationMs: 1 }),
    ]);
    expect(md).toBe(
      "**Plan** (2 steps):\n\n- [ ] **read** _(in progress)_\n- [ ] fix\n\n**Plan complete:** all 2 steps done.\n\n#### Tool: todo_write (failed)\n\n```\nitems: expected an array\n```\n\n",
    );
  });

  it("writes a refusal as such", () => {
    const md = renderAll([e("error", { message: "The model declined to continue (refusal).", source: "model" })]);
    expect(md).toBe("> **Model declined:** The model declined to continue (refusal).\n\n");
  });

  it("makes control characters and escapes visible everywhere", () => {
    const md = renderAll([
      e("user.message", { text: "hi\0\x1b]0;pwn\x07" }),
      e("tool.call", { callId: "c", name: "shell", input: { command: "printf 'a\\0b'" } }),
      e("tool.output", { callId: "c", stream: "stdout", text: "a\0b \x1b[31mred\x1b[0m \x1b[2J" }),
      e("tool.result", { callId: "c", isError: false, exitCode: 0, output: "", truncated: false, durationMs: 5 }),
    ]);
    expect(md).toContain("hi␀␛]0;pwn␇");
    expect(md).toContain("a␀b red ␛[2J");
    expect(md).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });
});

describe("subagents", () => {
  it("writes a subagent's steps under a heading for its task, even when two run at once", () => {
    const task = (callId: string, description: string, readOnly?: boolean) => e("tool.call", { callId, name: "task", input: { description, prompt: `Do ${description}.`, ...(readOnly ? { readOnly } : {}) } });
    const md = renderAll([
      e("assistant.text", { block: "m1", text: "Delegating." }),
      task("t1", "Read the notes", true),
      task("t2", "Count files"),
      e("tool.call", { callId: "s1", name: "read_file", input: { path: "NOTES.md" }, parent: "t1" }),
      e("tool.call", { callId: "s2", name: "shell", input: { command: "ls | wc -l" }, parent: "t2" }),
      e("tool.output", { callId: "s2", stream: "stdout", text: "42\n", parent: "t2" }),
      e("tool.result", { callId: "s1", isError: false, output: "vault", truncated: false, durationMs: 100, parent: "t1" }),
      e("assistant.text", { block: "b1", text: "REPORT: vault", parent: "t1" }),
      e("tool.result", { callId: "s2", isError: false, exitCode: 0, output: "42", truncated: false, durationMs: 200, parent: "t2" }),
      e("tool.result", { callId: "t1", isError: false, output: "REPORT: vault", truncated: false, durationMs: 1500 }),
      e("tool.result", { callId: "t2", isError: true, output: "The subagent stopped before finishing: budget reached", truncated: false, durationMs: 2500 }),
      e("assistant.text", { block: "m2", text: "Both back." }),
    ]);
    const t1 = md.indexOf("#### Subagent: Read the notes (read-only)");
    const t2 = md.indexOf("#### Subagent: Count files");
    expect(t1).toBeGreaterThan(md.indexOf("Delegating."));
    expect(t2).toBeGreaterThan(t1);
    // Each subagent's steps come together, quoted, when its task ends: t1's after both headings, then t2's.
    const first = md.indexOf("> #### Tool: read_file");
    const second = md.indexOf("> #### Tool: shell");
    expect(first).toBeGreaterThan(t2);
    expect(md.slice(first, second)).toContain("> ### Assistant\n>\n> REPORT: vault");
    expect(md.slice(first, second)).toContain("_Subagent finished, 1.5 s: its report is its last message above._");
    expect(md.slice(second)).toContain("> ```\n> 42\n> ```");
    expect(md.slice(second)).toContain("The subagent stopped before finishing: budget reached");
    expect(md.slice(second)).toContain("_Subagent failed, 2.5 s_");
    expect(md.indexOf("Both back.")).toBeGreaterThan(second);
    // The report is not written twice.
    expect(md.split("REPORT: vault").length - 1).toBe(1);
  });

  it("writes the steps of a subagent that never reported when the export ends", () => {
    const md = renderAll([
      e("tool.call", { callId: "t9", name: "task", input: { description: "Long job", prompt: "p" } }),
      e("assistant.text", { block: "x", text: "working on it", parent: "t9" }),
    ]);
    expect(md).toContain("#### Subagent: Long job");
    expect(md).toContain("> working on it");
    expect(md).toContain("_no report: the subagent was interrupted_");
  });
});
