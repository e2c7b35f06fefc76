// Whether a queued follow-up has reached the agent. The worker takes waiting messages at the
// start of every step, just before it asks the model, and records nothing when it does. What the
// log shows of a step is the model's text as it streams (`assistant.text`, whose block names the
// model call) and then its tools. Only the worker's own events are compared: they arrive in the
// order they happened, while the host's (usage, the message itself) may overtake them.
//
// So a message is delivered when text of a model call other than the one streaming when it
// arrived shows up (that call was asked after the message), or when a new turn starts (a turn
// takes waiting messages first). A step that answers with tools and no text shows nothing until
// the agent next writes; a call still thinking when the message arrived counts as a later one.
import type { SessionEvent, SessionStatus } from "../../lib/events/schema";
import type { TranscriptItem } from "./transcript-items";

/** A queued follow-up at `items[at]`; `call`: the model call streaming text when it arrived. */
export type Undelivered = { at: number; call: string | null };

/** What this fold touches of the transcript state (mutable copies, as in applyEvents). */
interface Draft {
  items: TranscriptItem[];
  status: SessionStatus | null;
  undelivered: readonly Undelivered[];
  /** The model call whose text came last, while no tool has run since (null once one did). */
  streaming: string | null;
}

// The worker names text blocks `<call>-<step>-<block>` (sandbox/worker/turn.ts).
const callOf = (block: string) => block.split("-", 1)[0];

export function awaitDelivery(s: Draft, at: number): Undelivered {
  return { at, call: s.streaming };
}

/** Call before the event is folded in (`s.status` is still the status before it). */
export function trackDelivery(s: Draft, e: SessionEvent): void {
  const call = e.type === "assistant.text" ? callOf(e.data.block) : null;
  if (e.type === "tool.call" || e.type === "tool.output" || e.type === "tool.result") s.streaming = null;
  if (s.undelivered.length > 0) {
    // After an approval wait the same step goes on: not a new turn.
    const newTurn = e.type === "status" && e.data.status === "running" && s.status !== "running" && s.status !== "awaiting_approval";
    const left = s.undelivered.filter((u) => {
      const reached = newTurn || (call !== null && call !== u.call);
      const item = s.items[u.at];
      if (reached && item?.kind === "user") s.items[u.at] = { ...item, delivery: "delivered" };
      return !reached;
    });
    if (left.length !== s.undelivered.length) s.undelivered = left;
  }
  if (call !== null) s.streaming = call;
}
