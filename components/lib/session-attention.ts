// "Needs attention" on the session page, live: the same fold the host keeps on the session row
// (lib/sessions/attention.ts), run over the transcript's items as they arrive.
import type { SessionEvent } from "../../lib/events/schema";
import { foldAttention, type Attention, type AttentionSignal } from "../../lib/sessions/attention";
import type { TranscriptItem } from "./transcript-items";

/** The items as the events the fold reads (an approval card carries its request and, once made, its decision). */
function signals(items: readonly TranscriptItem[]): AttentionSignal[] {
  const out: AttentionSignal[] = [];
  for (const it of items) {
    if (it.kind === "status") out.push({ type: "status", ts: it.ts, data: { status: it.status, reason: it.reason } });
    else if (it.kind === "error") out.push({ type: "error", ts: it.ts, data: { message: it.message, source: it.source as Extract<SessionEvent, { type: "error" }>["data"]["source"] } });
    else if (it.kind === "approval") {
      out.push({ type: "approval.requested", ts: it.ts, data: { approvalId: it.approvalId, callId: it.callId, kind: it.approvalKind, tool: it.tool, input: it.input, reason: it.reason } });
      if (it.decision) out.push({ type: "approval.decided", ts: it.decision.ts, data: { approvalId: it.approvalId, callId: it.callId, decision: it.decision.decision } });
    }
  }
  return out;
}

/** The attention after the items; `fallback` (the row at page load) until events have arrived. */
export function attentionOfItems(items: readonly TranscriptItem[], fallback: Attention | null): Attention | null {
  if (!items.length) return fallback;
  return foldAttention(signals(items), null) ?? null;
}
