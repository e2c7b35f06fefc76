// "Needs attention": what a person must act on, decided from the event log alone, so that the host
// (the projection in lib/events/store.ts, in the transaction that stores the events) and the
// browser (folding the same events live) agree. Pure: no database, bundled into the browser.
//
// Set by: the session failing (failed), the model call failing for good (model_error), the
// gateway's budget refusal coming back as that failure (budget), an approval request (approval).
// Cleared by: the agent starting to work again (queued, starting, running: a follow-up, a retry,
// a decision) and by a decision on the approval. Not by idle or stopped: a model error stays one
// after the idle reaper stops the sandbox.
import type { SessionEvent } from "../events/schema";
import { isRefusal } from "../events/signals";
import type { AttentionKind } from "../events/status";

export interface Attention {
  kind: AttentionKind;
  reason: string;
  /** When it started (the event's time). */
  since: string;
}

/** What the fold reads of an event. */
export type AttentionSignal = Pick<SessionEvent, "type" | "data" | "ts">;

/** The worker's prefix on a final model failure (sandbox/worker/errors.ts ModelError.report). */
const MODEL_FAILED = /^Model call failed:\s*/;
/** The gateway's budget refusal (lib/sessions/budget.ts), as it comes back through the model call. */
const BUDGET = /\bbudget reached:/;

/**
 * The attention after `events`, starting from `current`; `undefined` when none of them changes it
 * (the stored value stays), `null` when they clear it.
 */
export function foldAttention(events: readonly AttentionSignal[], current?: Attention | null): Attention | null | undefined {
  let out: Attention | null | undefined = current;
  for (const e of events) {
    const next = attentionAfter(e);
    if (next !== undefined) out = next;
  }
  return out;
}

function attentionAfter(e: AttentionSignal): Attention | null | undefined {
  const since = e.ts;
  const s = e as SessionEvent;
  switch (s.type) {
    case "status": {
      const { status, reason } = s.data;
      if (status === "failed") return { kind: "failed", reason: reason || "the session failed", since };
      if (status === "queued" || status === "starting" || status === "running") return null;
      return undefined;
    }
    case "error": {
      if (s.data.source !== "model" || isRefusal(s.data)) return undefined;
      const reason = s.data.message.replace(MODEL_FAILED, "");
      return { kind: BUDGET.test(reason) ? "budget" : "model_error", reason, since };
    }
    case "approval.requested": {
      const what = s.data.kind === "plan" ? "its plan" : s.data.tool;
      return { kind: "approval", reason: `the agent waits for a decision on ${what}${s.data.reason ? ` (${s.data.reason})` : ""}`, since };
    }
    case "approval.decided":
      return null;
    default:
      return undefined;
  }
}

/** The session row's columns for a change of attention (nothing when unchanged). */
export function attentionColumns(next: Attention | null | undefined): { attention?: string | null; attentionReason?: string | null; attentionAt?: Date | null } {
  if (next === undefined) return {};
  if (next === null) return { attention: null, attentionReason: null, attentionAt: null };
  return { attention: next.kind, attentionReason: next.reason.slice(0, 2000), attentionAt: new Date(next.since) };
}

/** Attention kinds a retry can act on: it resumes the agent (model_error, budget) or starts the sandbox again (failed). */
export const RETRYABLE: readonly AttentionKind[] = ["failed", "model_error", "budget"];
