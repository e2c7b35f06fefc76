// What the host's handlers of the agent's own tools (remember, recall, report) get from the live
// session: whose call it is, how to record host events in its log, and the secret values to mask.
import type { NewEvent } from "../events/schema";

export interface AgentCallContext {
  sessionId: string;
  /** Appends host events to the session's log (masked and published, like every host event). */
  record(events: NewEvent[]): Promise<void>;
  /** The session's secret values: masked in what is stored and shown. */
  masks: readonly string[];
}
