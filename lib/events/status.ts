// The one status model of a session, used by the server, the worker protocol, the API and the UI.
// Bundled into the worker: zod only.
//
//   queued → starting → running ⇄ awaiting_approval
//                        ↕  ↑
//                       idle ┘        any live status → stopped | failed (terminal)
//
// - live: a container works (or will) for the session;
// - working: the agent is busy (a follow-up is queued, not started);
// - waiting for a person: the agent cannot go on until someone decides (an approval);
// - terminal: nothing runs; a follow-up starts the sandbox again.
import { z } from "zod";

export const SESSION_STATUSES = ["queued", "starting", "running", "awaiting_approval", "idle", "stopped", "failed"] as const;
export const SessionStatus = z.enum(SESSION_STATUSES);
export type SessionStatus = z.infer<typeof SessionStatus>;

/** A container works, or will, for the session. */
export const LIVE_STATUSES: readonly SessionStatus[] = ["queued", "starting", "running", "awaiting_approval", "idle"];
/** The agent is busy: a message waits for its next step. */
export const WORKING_STATUSES: readonly SessionStatus[] = ["queued", "starting", "running", "awaiting_approval"];
/** The agent cannot go on until a person decides. */
export const WAITING_STATUSES: readonly SessionStatus[] = ["awaiting_approval"];
/** Nothing runs for the session. */
export const TERMINAL_STATUSES: readonly SessionStatus[] = ["stopped", "failed"];

export const isLive = (s: string): boolean => (LIVE_STATUSES as readonly string[]).includes(s);
export const isWorking = (s: string): boolean => (WORKING_STATUSES as readonly string[]).includes(s);
export const isWaiting = (s: string): boolean => (WAITING_STATUSES as readonly string[]).includes(s);
export const isTerminal = (s: string): boolean => (TERMINAL_STATUSES as readonly string[]).includes(s);

/** Words for people (lists, filters, pills). */
export const STATUS_LABELS: Record<SessionStatus, string> = {
  queued: "queued",
  starting: "starting",
  running: "running",
  awaiting_approval: "needs approval",
  idle: "idle",
  stopped: "stopped",
  failed: "failed",
};

/**
 * Where the worker may move a session (it reports its own progress). `awaiting_approval` is the
 * host's alone: it enters it when the worker asks for an approval and leaves it on the decision.
 */
const WORKER_NEXT: Partial<Record<SessionStatus, SessionStatus[]>> = {
  queued: ["running", "idle"],
  starting: ["running", "idle"],
  running: ["running", "idle"],
  idle: ["running"],
  awaiting_approval: ["running", "idle"],
};

/** Why a worker may not move the session from `from` to `to`; null when it may. */
export function workerTransitionRefusal(from: SessionStatus, to: SessionStatus, stopAsked: boolean): string | null {
  if (isTerminal(from)) return `the session is already ${from}`;
  if (to === "failed") return null;
  if (to === "stopped") return stopAsked ? null : "nobody asked this session to stop";
  if (to === "awaiting_approval") return "only the host puts a session in awaiting_approval";
  return WORKER_NEXT[from]?.includes(to) ? null : `a worker cannot move a session from ${from} to ${to}`;
}

/**
 * What a person must act on, beside the status ("idle" after a model error is not a success):
 * - failed: the session failed (sandbox, clone, engine);
 * - model_error: the model call failed for good (the agent stopped; a follow-up retries);
 * - budget: the session or team budget stopped the agent;
 * - approval: a tool call waits for a person's decision.
 */
export const ATTENTION_KINDS = ["failed", "model_error", "budget", "approval"] as const;
export const AttentionKind = z.enum(ATTENTION_KINDS);
export type AttentionKind = z.infer<typeof AttentionKind>;
export const ATTENTION_LABELS: Record<AttentionKind, string> = {
  failed: "failed",
  model_error: "model error",
  budget: "budget reached",
  approval: "needs approval",
};
