// What the host stores from a worker's event batch. Everything in it is hostile input: only the
// types a worker produces, strict shapes and sizes, status only along the lifecycle, tool output
// up to the session's cap. A refused event is acknowledged (so a worker does not resend it
// forever) but not stored, and one note per batch says what was refused and why.
import { ev, TERMINAL_STATUSES, type NewEvent } from "../events/schema";
import { workerTransitionRefusal } from "../events/status";
import { freshByWid, type AppendPlan, type LockedSession } from "../events/store";
import { maskDeepWith, masker } from "../environments/secrets";
import { WORKER_EVENT_TYPES, WorkerEventSchema, type WorkerEvent, type WorkerEventBatch } from "../protocol/worker";

export interface WorkerPolicy {
  /** The host asked for a stop or an interrupt: only then may the worker report `stopped`. */
  stopAsked: boolean;
  /** Bytes of tool output a session may store (sessions.output_bytes counts all it produced). */
  outputCapBytes: bigint;
  /** Bytes of tool output dropped per running command, for the note at its tool.result. */
  dropped: ReadonlyMap<string, number>;
  /** Secret values of the session: replaced by *** wherever a worker event holds one. */
  masks?: readonly string[];
}

export interface WorkerPlan extends AppendPlan {
  /** The policy's `dropped` after this batch (apply it once the append has committed). */
  dropped: Map<string, number>;
}

const MAX_LISTED = 5;
// Setup output counts toward the output cap under a key no tool call id can be (ids are non-empty strings the model chose; this one has a NUL).
const SETUP_KEY = "\u0000setup";
const MAX_TRACKED = 1000;
const PAST_SLACK_MS = 60 * 60_000;
const FUTURE_SLACK_MS = 60_000;

/** Decides, on the locked session row, what of a worker batch to store. Throws AppError (409) on a wid gap. */
export function planWorkerBatch(batch: WorkerEventBatch["events"], row: LockedSession, policy: WorkerPolicy): WorkerPlan {
  const wids = batch.map((e) => e.wid);
  const fresh = freshByWid(batch, wids, row.workerAck);
  const dropped = new Map(policy.dropped);
  const events: NewEvent[] = [];
  const refused: string[] = [];
  let status = row.status;
  let counter = row.outputBytes;
  let added = 0n;
  const cap = policy.outputCapBytes;
  // One masker for the batch (it compiles the secrets into one regular expression).
  const mask = policy.masks?.length ? masker([...policy.masks]) : null;

  for (const raw of fresh) {
    const parsed = WorkerEventSchema.safeParse(raw);
    if (!parsed.success) {
      refused.push(`${describe(raw)}: ${whyInvalid(raw, parsed.error.issues)}`);
      continue;
    }
    const e = parsed.data;
    if (TERMINAL_STATUSES.includes(status)) {
      refused.push(`${describe(raw)}: the session is already ${status}`);
      continue;
    }
    if (e.type === "status") {
      const why = transitionRefusal(status, e.data.status, policy.stopAsked);
      if (why) {
        refused.push(`${describe(raw)} ${e.data.status}: ${why}`);
        continue;
      }
      status = e.data.status;
    }
    // A stdio MCP server's stderr is the sandbox's words too: it counts toward the same cap.
    if (e.type === "tool.output" || e.type === "setup.output" || e.type === "mcp.stderr") {
      const key = e.type === "tool.output" ? e.data.callId : e.type === "setup.output" ? SETUP_KEY : null;
      const size = BigInt(Buffer.byteLength(e.data.text));
      const before = counter;
      counter += size;
      added += size;
      if (counter > cap) {
        if (key) dropped.set(key, (dropped.get(key) ?? 0) + Number(size));
        if (before <= cap) events.push(note(`Tool output past this session's cap of ${mb(cap)} (DOCKSIDE_SESSION_OUTPUT_MB) is no longer stored. Commands still run and the agent still sees their output.`));
        continue;
      }
    }
    // The worker masks too; this is the line it cannot talk its way past (values split across
    // two events are the worker's to catch: it masks before it cuts text into events).
    events.push(mask ? maskDeepWith(toNewEvent(e), mask) : toNewEvent(e));
    if (e.type === "tool.result" && dropped.has(e.data.callId)) {
      events.push(note(`${dropped.get(e.data.callId)} bytes of output of the command ${e.data.callId} were not stored (the session's output cap of ${mb(cap)} was reached).`));
      dropped.delete(e.data.callId);
    }
  }
  if (refused.length) events.push(note(refusalMessage(refused)));
  // Commands that never report a result must not grow this forever.
  for (const key of dropped.keys()) if (dropped.size > MAX_TRACKED) dropped.delete(key);
  const workerAck = wids.length ? Math.max(row.workerAck, wids[wids.length - 1]) : row.workerAck;
  return { events, workerAck, outputBytes: added, dropped };
}

/** Why a worker may not move the session from `from` to `to`; null when it may (the one status model). */
export const transitionRefusal = workerTransitionRefusal;

function toNewEvent(e: WorkerEvent): NewEvent {
  const { wid: _wid, ts, ...rest } = e;
  // The worker's clock is its own: a timestamp from the future, or older than a worker could
  // legitimately have held an event (a host restart), is replaced by the host's.
  const at = ts === undefined ? NaN : Date.parse(ts);
  const plausible = at <= Date.now() + FUTURE_SLACK_MS && at >= Date.now() - PAST_SLACK_MS;
  return { ...rest, ...(ts && plausible ? { ts } : {}) } as NewEvent;
}

function describe(raw: Record<string, unknown>): string {
  const type = typeof raw.type === "string" ? raw.type.slice(0, 40) : "an event without a type";
  return `wid ${raw.wid} (${type})`;
}

function whyInvalid(raw: Record<string, unknown>, issues: { path: PropertyKey[]; message: string }[]): string {
  if (typeof raw.type === "string" && !(WORKER_EVENT_TYPES as readonly string[]).includes(raw.type)) return "a worker may not send this event type";
  const i = issues[0];
  return i ? `${i.path.map(String).join(".") || "event"}: ${i.message.slice(0, 200)}` : "invalid";
}

function refusalMessage(refused: string[]): string {
  const listed = refused.slice(0, MAX_LISTED).join("; ");
  const more = refused.length > MAX_LISTED ? `; and ${refused.length - MAX_LISTED} more` : "";
  return `Dockside refused ${refused.length} event${refused.length === 1 ? "" : "s"} from the sandbox (not stored): ${listed}${more}.`;
}

const note = (message: string): NewEvent => ev("error", { message, source: "host" });
const mb = (bytes: bigint) => `${Number(bytes) / (1024 * 1024)} MB`;
