// The session page's state: a pure fold over the event log in seq order. Raw events are not
// kept; only what the page renders, with tool output bounded per call.
import type { EventDataOf, SessionEvent, SessionStatus } from "../../lib/events/schema";
import { isRefusal, retryWhat } from "../../lib/events/signals";
import type { PermissionMode } from "../../lib/protocol/permissions";
import { terminalText, visibleJson, visibleText } from "../../lib/text/visible";
import { appendOutput, DEFAULT_OUTPUT_CAP, EMPTY_OUTPUT } from "./output-buffer";
import { awaitDelivery, trackDelivery, type Undelivered } from "./transcript-delivery";
import { applyEgress, applySetup, applySetupOutput, interruptSetup } from "./transcript-environment";
import { applyMcpServer, applyMcpStderr } from "./transcript-mcp";

export * from "./transcript-items";
import type { ApprovalItem, ApprovalOutcome, Base, TodoEntry, ToolItem, TranscriptItem } from "./transcript-items";

/** The todo tool's name (sandbox/worker/tools/todo.ts). */
export const PLAN_TOOL = "todo_write";

/**
 * A plan update that worked says nothing the plan panel and its transcript markers do not:
 * not shown as a tool call. One that failed is shown, so the person sees what went wrong.
 */
export function isQuietTool(item: ToolItem): boolean {
  return item.name === PLAN_TOOL && !item.interrupted && !(item.result?.isError ?? false);
}

export interface TranscriptState {
  lastSeq: number;
  items: readonly TranscriptItem[];
  /** Position in `items` of each text block and each tool call, for merging later pieces. */
  blockIndex: ReadonlyMap<string, number>;
  toolIndex: ReadonlyMap<string, number>;
  /** From the latest status event; null until one arrives (then the DTO is the fallback). */
  status: SessionStatus | null;
  statusReason: string | null;
  inputTokens: number;
  outputTokens: number;
  /** Sum of usage.costUsd (events stored before prices count 0). */
  costUsd: number;
  /** The agent's latest todo list; null until it makes one. */
  todos: readonly TodoEntry[] | null;
  /** Position in `items` of a retry line still waiting, which the next retry updates. */
  openRetry: number | null;
  /** Counts commit events, so views can refetch what a commit changes (the diff). */
  commits: number;
  /** Position in `items` of the latest setup block, which setup.output and outcomes update. */
  openSetup: number | null;
  /** Position in `items` of each approval card, by approval id, for its decision. */
  approvalIndex: ReadonlyMap<string, number>;
  /** The latest `mode` event's mode; null until one arrives (then the DTO is the fallback). */
  mode: PermissionMode | null;
  /** Queued follow-ups the agent has not taken yet, and the model call streaming text (transcript-delivery.ts). */
  undelivered: readonly Undelivered[];
  streaming: string | null;
}

export const EMPTY_TRANSCRIPT: TranscriptState = {
  lastSeq: 0,
  items: [],
  blockIndex: new Map(),
  toolIndex: new Map(),
  status: null,
  statusReason: null,
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  todos: null,
  openRetry: null,
  commits: 0,
  openSetup: null,
  approvalIndex: new Map(),
  mode: null,
  undelivered: [],
  streaming: null,
};

export interface ApplyOptions {
  outputCap?: number;
}

/** Folds events in; events at or below `lastSeq` are ignored, so replays and repeats are safe. */
export function applyEvents(state: TranscriptState, events: readonly SessionEvent[], opts: ApplyOptions = {}): TranscriptState {
  const fresh = events.filter((e) => e.seq > state.lastSeq).sort((a, b) => a.seq - b.seq);
  if (fresh.length === 0) return state;
  // Copy once per batch, then mutate the copies: one allocation per flush, not per event.
  const s = {
    ...state,
    items: state.items.slice(),
    blockIndex: new Map(state.blockIndex),
    toolIndex: new Map(state.toolIndex),
    approvalIndex: new Map(state.approvalIndex),
  };
  const cap = opts.outputCap ?? DEFAULT_OUTPUT_CAP;
  for (const e of fresh) {
    if (e.seq <= s.lastSeq) continue; // duplicate inside the batch
    // Whatever follows a retry (the answer, an error, a usage count) means the wait is over.
    if (s.openRetry !== null && e.type !== "model.retry") settleRetry(s);
    trackDelivery(s, e);
    applyOne(s, e, cap);
    s.lastSeq = e.seq;
  }
  return s;
}

type Mutable = TranscriptState & { items: TranscriptItem[]; blockIndex: Map<string, number>; toolIndex: Map<string, number>; approvalIndex: Map<string, number> };

function applyOne(s: Mutable, e: SessionEvent, cap: number): void {
  const base = { seq: e.seq, ts: e.ts };
  switch (e.type) {
    case "user.message": {
      const { queued, ...data } = e.data;
      if (queued) s.undelivered = [...s.undelivered, awaitDelivery(s, s.items.length)];
      s.items.push({ ...base, kind: "user", ...data, text: visibleText(data.text), ...(queued ? { delivery: "queued" as const } : {}) });
      return;
    }
    case "assistant.text": {
      const at = s.blockIndex.get(e.data.block);
      const prev = at === undefined ? undefined : s.items[at];
      if (prev?.kind === "assistant") {
        s.items[at!] = { ...prev, text: prev.text + visibleText(e.data.text) };
        return;
      }
      s.blockIndex.set(e.data.block, s.items.length);
      s.items.push({ ...base, ...nested(e.data), kind: "assistant", block: e.data.block, text: visibleText(e.data.text) });
      return;
    }
    case "tool.call": {
      // File names and commands are shown from the input: make its strings safe to show once, here.
      const name = visibleText(e.data.name);
      const input = visibleJson(e.data.input);
      const existing = toolAt(s, e.data.callId);
      if (existing) {
        updateTool(s, e.data.callId, { name, input });
        return;
      }
      s.toolIndex.set(e.data.callId, s.items.length);
      s.items.push({ ...base, ...nested(e.data), kind: "tool", callId: e.data.callId, name, input, output: EMPTY_OUTPUT });
      return;
    }
    case "tool.output": {
      const tool = toolAt(s, e.data.callId) ?? orphanTool(s, { ...base, ...nested(e.data) }, e.data.callId);
      updateTool(s, e.data.callId, { output: appendOutput(tool.output, e.data.stream, e.data.text, cap) });
      return;
    }
    case "tool.result": {
      if (!toolAt(s, e.data.callId)) orphanTool(s, { ...base, ...nested(e.data) }, e.data.callId);
      updateTool(s, e.data.callId, { result: e.data, interrupted: false });
      return;
    }
    case "commit":
      s.items.push({ ...base, kind: "commit", ...e.data, message: visibleText(e.data.message) });
      s.commits += 1;
      return;
    case "branch":
      s.items.push({ ...base, kind: "branch", ...e.data, detail: optVisible(e.data.detail), by: optVisible(e.data.by) });
      return;
    case "status": {
      const reason = optVisible(e.data.reason);
      s.status = e.data.status;
      s.statusReason = reason ?? null;
      s.items.push({ ...base, kind: "status", status: e.data.status, reason });
      // Waiting for an approval is still working: the call in question is not interrupted.
      if (e.data.status !== "running" && e.data.status !== "starting" && e.data.status !== "awaiting_approval") markOpenToolsInterrupted(s);
      return;
    }
    case "usage":
      // Cache reads and writes are input too: the same sum the server keeps on the session row.
      s.inputTokens += e.data.inputTokens + (e.data.cacheReadTokens ?? 0) + (e.data.cacheWriteTokens ?? 0);
      s.outputTokens += e.data.outputTokens;
      s.costUsd += e.data.costUsd ?? 0;
      return;
    case "error": {
      const message = visibleText(e.data.message);
      if (isRefusal(e.data)) s.items.push({ ...base, kind: "refusal", message });
      else s.items.push({ ...base, ...nested(e.data), kind: "error", message, source: e.data.source });
      return;
    }
    case "model.retry":
      applyRetry(s, base, e.data);
      return;
    case "compaction":
      s.items.push({ ...base, kind: "compaction", ...e.data, summary: optVisible(e.data.summary) });
      return;
    case "todo":
      applyTodo(s, base, e.data.items.map((t) => ({ ...t, content: visibleText(t.content) })));
      return;
    case "setup":
      applySetup(s, base, e.data);
      return;
    case "setup.output":
      applySetupOutput(s, base, e.data, cap);
      return;
    case "egress.blocked":
      applyEgress(s, base, e.data);
      return;
    case "approval.requested": {
      const d = e.data;
      const fields = { approvalKind: d.kind, callId: d.callId, tool: visibleText(d.tool), input: visibleJson(d.input), reason: visibleText(d.reason) };
      const at = s.approvalIndex.get(d.approvalId);
      const prev = at === undefined ? undefined : s.items[at];
      // A repeat of a request (the host recorded it again after a restart) keeps its card and decision.
      if (prev?.kind === "approval") {
        s.items[at!] = { ...prev, ...fields };
        return;
      }
      s.approvalIndex.set(d.approvalId, s.items.length);
      s.items.push({ ...base, kind: "approval", approvalId: d.approvalId, ...fields });
      updateTool(s, d.callId, { awaitingApproval: true });
      return;
    }
    case "approval.decided": {
      const { approvalId, callId, ...rest } = e.data;
      const decision: ApprovalOutcome = { ...rest, by: optVisible(rest.by), message: optVisible(rest.message), rule: optVisible(rest.rule), ts: e.ts };
      const at = s.approvalIndex.get(approvalId);
      const prev = at === undefined ? undefined : s.items[at];
      updateTool(s, callId, { awaitingApproval: false });
      if (prev?.kind === "approval") {
        s.items[at!] = { ...prev, decision };
        return;
      }
      // A decision without its request (should not happen): still show what was decided.
      s.approvalIndex.set(approvalId, s.items.length);
      s.items.push({ ...base, kind: "approval", approvalId, callId, approvalKind: "tool", tool: "unknown tool", input: null, reason: "", decision });
      return;
    }
    case "mode":
      s.mode = e.data.mode;
      s.items.push({ ...base, kind: "mode", mode: e.data.mode, by: optVisible(e.data.by) });
      return;
    case "hook":
      s.items.push({ ...base, kind: "hook", ...e.data, command: visibleText(e.data.command), output: terminalText(e.data.output) });
      return;
    case "memory":
      s.items.push({ ...base, kind: "memory", ...e.data, text: visibleText(e.data.text) });
      return;
    case "report":
      s.items.push({ ...base, kind: "report", ...e.data, summary: visibleText(e.data.summary) });
      return;
    case "alert":
      s.items.push({ ...base, kind: "alert", alertKind: e.data.kind, message: visibleText(e.data.message) });
      return;
    case "mcp.server":
      applyMcpServer(s, base, e.data);
      return;
    case "mcp.stderr":
      applyMcpStderr(s, base, e.data, cap);
      return;
    default: {
      const unhandled: never = e;
      throw new Error(`unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

const optVisible = (s: string | undefined) => (s === undefined ? undefined : visibleText(s));
/** A subagent's event keeps the task call it belongs to; the session's own carry nothing. */
const nested = (d: { parent?: string }) => (d.parent === undefined ? {} : { parent: d.parent });

function applyRetry(s: Mutable, base: Base, d: EventDataOf<"model.retry">): void {
  const reason = visibleText(retryWhat(d.reason));
  const open = s.openRetry === null ? undefined : s.items[s.openRetry];
  // Retries of another agent (a subagent running beside the caller) get their own line.
  if (open?.kind === "retry" && open.parent === d.parent) {
    s.items[s.openRetry!] = { ...open, attempt: d.attempt, waitMs: d.waitMs, reason, status: d.status, retries: open.retries + 1, at: base.ts };
    return;
  }
  if (s.openRetry !== null) settleRetry(s);
  s.openRetry = s.items.length;
  s.items.push({ ...base, ...nested(d), kind: "retry", attempt: d.attempt, waitMs: d.waitMs, reason, status: d.status, retries: 1, at: base.ts, settled: false });
}

function settleRetry(s: Mutable): void {
  const at = s.openRetry!;
  const item = s.items[at];
  if (item?.kind === "retry") s.items[at] = { ...item, settled: true };
  s.openRetry = null;
}

const allDone = (items: readonly TodoEntry[]) => items.length > 0 && items.every((t) => t.status === "completed");

// The panel shows every update; the transcript only a new plan and its completion, so ticking
// items off one by one does not flood the conversation.
function applyTodo(s: Mutable, base: Base, items: TodoEntry[]): void {
  const prev = s.todos;
  s.todos = items;
  if (items.length === 0) return;
  const wasDone = prev !== null && allDone(prev);
  if (allDone(items)) {
    if (!wasDone) s.items.push({ ...base, kind: "todo", phase: "done", items });
    return;
  }
  if (prev === null || prev.length === 0 || wasDone) s.items.push({ ...base, kind: "todo", phase: "plan", items });
}

function toolAt(s: Mutable, callId: string): ToolItem | undefined {
  const at = s.toolIndex.get(callId);
  const item = at === undefined ? undefined : s.items[at];
  return item?.kind === "tool" ? item : undefined;
}

function updateTool(s: Mutable, callId: string, patch: Partial<ToolItem>): void {
  const at = s.toolIndex.get(callId);
  const item = at === undefined ? undefined : s.items[at];
  if (at === undefined || item?.kind !== "tool") return;
  s.items[at] = { ...item, ...patch };
}

// Output before its call should not happen, but losing it would hide what ran.
function orphanTool(s: Mutable, base: Base & { parent?: string }, callId: string): ToolItem {
  const item: ToolItem = { ...base, kind: "tool", callId, name: "unknown tool", input: null, output: EMPTY_OUTPUT };
  s.toolIndex.set(callId, s.items.length);
  s.items.push(item);
  return item;
}

// A session that went idle, stopped or failed has no tool or setup still running: stop their spinners.
function markOpenToolsInterrupted(s: Mutable): void {
  interruptSetup(s);
  for (const [callId, at] of s.toolIndex) {
    const item = s.items[at];
    if (item?.kind === "tool" && !item.result && !item.interrupted) updateTool(s, callId, { interrupted: true });
  }
}

/** Approval cards still waiting for a decision, oldest first. */
export function pendingApprovals(state: TranscriptState): ApprovalItem[] {
  return state.items.filter((i): i is ApprovalItem => i.kind === "approval" && !i.decision);
}

/** The status to show: the latest status event, else the DTO's. */
export function currentStatus(state: TranscriptState, fallback: SessionStatus): SessionStatus {
  return state.status ?? fallback;
}

/**
 * Which incoming events continue the held sequence. Events at or below `lastSeq` are repeats;
 * an event beyond `lastSeq + 1` means something was missed: stop there and resubscribe.
 */
export function acceptBatch<E extends { seq: number }>(lastSeq: number, events: readonly E[]): { accepted: E[]; lastSeq: number; gap: boolean } {
  const accepted: E[] = [];
  let last = lastSeq;
  const sorted = events.slice().sort((a, b) => a.seq - b.seq);
  for (const e of sorted) {
    if (e.seq <= last) continue;
    if (e.seq > last + 1) return { accepted, lastSeq: last, gap: true };
    accepted.push(e);
    last = e.seq;
  }
  return { accepted, lastSeq: last, gap: false };
}

/**
 * The item showing event `seq`: the latest item that began at or before it (later pieces of a
 * text block, a tool's output and result fold into the item their first event opened). Null
 * before the first item.
 */
export function eventItemSeq(items: readonly TranscriptItem[], seq: number): number | null {
  let lo = 0;
  let hi = items.length - 1;
  let found: number | null = null;
  // Items are in seq order: binary search for the last one at or before `seq`.
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].seq <= seq) {
      found = items[mid].seq;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
