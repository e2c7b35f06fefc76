// Subagents in the transcript: the steps of a `task` call (events carrying its callId as `parent`)
// fold under the call's block instead of the session's own line of items.
import type { ToolItem, TranscriptItem } from "../lib/transcript";

/** The subagent tool's name (sandbox/worker/subagent/task.ts). */
export const TASK_TOOL = "task";

export type Nesting = {
  /** What the transcript shows at the top level, in order. */
  top: TranscriptItem[];
  /** Each task call's steps, in order, by the call's id. */
  children: ReadonlyMap<string, TranscriptItem[]>;
};

/** Splits the items; a step whose task call is unknown stays at the top level (never hidden). */
export function nestTasks(items: readonly TranscriptItem[]): Nesting {
  const tasks = new Set(items.flatMap((i) => (i.kind === "tool" && i.name === TASK_TOOL && !("parent" in i && i.parent) ? [i.callId] : [])));
  if (!tasks.size) return { top: items as TranscriptItem[], children: new Map() };
  const top: TranscriptItem[] = [];
  const children = new Map<string, TranscriptItem[]>();
  for (const item of items) {
    const parent = "parent" in item ? item.parent : undefined;
    if (!parent || !tasks.has(parent)) {
      top.push(item);
      continue;
    }
    const list = children.get(parent);
    if (list) list.push(item);
    else children.set(parent, [item]);
  }
  return { top, children };
}

export type TaskState = "running" | "done" | "failed" | "interrupted" | "awaiting_approval";

export function taskState(item: ToolItem, steps: readonly TranscriptItem[]): TaskState {
  if (item.result) return item.result.isError ? "failed" : "done";
  if (item.interrupted) return "interrupted";
  // A subagent's call waiting for a person holds the whole task.
  if (item.awaitingApproval || steps.some((s) => s.kind === "tool" && s.awaitingApproval && !s.result)) return "awaiting_approval";
  return "running";
}

/** The task's title and read-only flag, from the call's input (the model's words: shown, never trusted). */
export function taskInput(input: unknown): { description: string; readOnly: boolean } {
  const rec = typeof input === "object" && input !== null ? (input as Record<string, unknown>) : {};
  const description = typeof rec.description === "string" && rec.description.trim() ? rec.description.trim() : "subagent task";
  return { description, readOnly: rec.readOnly === true };
}
