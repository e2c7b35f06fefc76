import { describe, expect, it } from "vitest";
import type { EventDataOf, EventType, SessionEvent } from "../../lib/events/schema";
import { applyEvents, EMPTY_TRANSCRIPT, type ToolItem } from "../lib/transcript";
import { nestTasks, taskInput, taskState } from "./task-nesting";

let seq = 0;
function ev<T extends EventType>(type: T, data: EventDataOf<T>): SessionEvent {
  seq += 1;
  return { seq, type, data, ts: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString() } as SessionEvent;
}
const result = (callId: string, output: string, extra: Partial<EventDataOf<"tool.result">> = {}) =>
  ev("tool.result", { callId, isError: false, output, truncated: false, durationMs: 5, ...extra });

describe("subagents in the transcript", () => {
  it("folds each subagent's steps under its task call and keeps the session's own at the top", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev("user.message", { text: "explore" }),
      ev("tool.call", { callId: "t1", name: "task", input: { description: "Find the config", prompt: "...", readOnly: true } }),
      ev("tool.call", { callId: "t2", name: "task", input: { description: "Count files", prompt: "..." } }),
      ev("assistant.text", { block: "s1", text: "Looking.", parent: "t1" }),
      ev("tool.call", { callId: "g1", name: "glob", input: { pattern: "*.json" }, parent: "t1" }),
      ev("tool.call", { callId: "sh", name: "shell", input: { command: "ls | wc -l" }, parent: "t2" }),
      ev("tool.output", { callId: "sh", stream: "stdout", text: "12\n", parent: "t2" }),
      result("g1", "config.json", { parent: "t1" }),
      ev("model.retry", { attempt: 1, waitMs: 1000, reason: "rate limited (429), retrying in 1 s", parent: "t2" }),
      result("t1", "REPORT: config.json", { tokens: 1234 }),
      ev("error", { message: "Model call failed: overloaded", source: "model", parent: "t2" }),
      result("t2", "The subagent stopped before finishing: overloaded", { isError: true, tokens: 99 }),
      ev("assistant.text", { block: "m1", text: "Both reported." }),
    ]);
    const { top, children } = nestTasks(s.items);
    expect(top.map((i) => i.kind)).toEqual(["user", "tool", "tool", "assistant"]);
    expect(children.get("t1")!.map((i) => i.kind)).toEqual(["assistant", "tool"]);
    expect(children.get("t2")!.map((i) => i.kind)).toEqual(["tool", "retry", "error"]);
    const shell = children.get("t2")![0] as ToolItem;
    expect(shell.output.chunks.map((c) => c.text).join("")).toBe("12\n");
    const [t1, t2] = top.filter((i): i is ToolItem => i.kind === "tool");
    expect(taskState(t1, children.get("t1")!)).toBe("done");
    expect(taskState(t2, children.get("t2")!)).toBe("failed");
    expect(t1.result?.tokens).toBe(1234);
    expect(taskInput(t1.input)).toEqual({ description: "Find the config", readOnly: true });
  });

  it("shows a running task while its steps stream, and never hides a step whose task is unknown", () => {
    const s = applyEvents(EMPTY_TRANSCRIPT, [
      ev("tool.call", { callId: "t3", name: "task", input: { prompt: "no title" } }),
      ev("tool.call", { callId: "r1", name: "read_file", input: { path: "a" }, parent: "t3" }),
      ev("assistant.text", { block: "x", text: "stray", parent: "nope" }),
    ]);
    const { top, children } = nestTasks(s.items);
    const task = top[0] as ToolItem;
    expect(taskState(task, children.get("t3")!)).toBe("running");
    expect(taskInput(task.input).description).toBe("subagent task");
    expect(top.map((i) => i.kind)).toEqual(["tool", "assistant"]);
    // The session goes idle: the task and its step will never finish.
    const idle = applyEvents(s, [ev("status", { status: "idle" })]);
    const after = nestTasks(idle.items);
    expect(taskState(after.top[0] as ToolItem, after.children.get("t3")!)).toBe("interrupted");
  });
});
