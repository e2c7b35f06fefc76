// Whether a queued follow-up has reached the agent. The worker takes waiting messages at the
// start of every step, just before it asks the model, and records nothing when it does. What the
// log does show is each model call ending (`usage`, counted by the host's gateway) and each tool
// ending (`tool.result`). The call in flight when a message arrived was asked without it; the
// first call that ends after a step ended after the message was asked with it. A new turn takes
// waiting messages first, so its `running` delivers them too.
import type { SessionEvent, SessionStatus } from "../../lib/events/schema";
import type { TranscriptItem } from "./transcript-items";

/** A queued follow-up at `items[at]`; `boundary` once a step of the agent ended after it. */
export type Undelivered = { at: number; boundary: boolean };

/** What this fold touches of the transcript state (mutable copies, as in applyEvents). */
interface Draft {
  items: TranscriptItem[];
  status: SessionStatus | null;
  undelivered: readonly Undelivered[];
}

export const awaitDelivery = (at: number): Undelivered => ({ at, boundary: false });

/** Call before the event is folded in (`s.status` is still the status before it). */
export function trackDelivery(s: Draft, e: SessionEvent): void {
  if (s.undelivered.length === 0) return;
  // After an approval wait the same step goes on: not a new turn.
  const newTurn = e.type === "status" && e.data.status === "running" && s.status !== "running" && s.status !== "awaiting_approval";
  if (!newTurn && e.type !== "usage" && e.type !== "tool.result") return;
  const left: Undelivered[] = [];
  for (const u of s.undelivered) {
    const item = s.items[u.at];
    if (newTurn || (e.type === "usage" && u.boundary)) {
      if (item?.kind === "user") s.items[u.at] = { ...item, delivery: "delivered" };
    } else left.push({ at: u.at, boundary: true });
  }
  s.undelivered = left;
}
