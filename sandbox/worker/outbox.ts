// Delivers the worker's events to the host exactly once: each event gets a wid (1, 2, 3...) when
// it is pushed, is written ahead to the event log (wal.ts), stays until the host acknowledges it,
// and is resent after failures, or after a restart from the log. The host stores each wid at most
// once, so the next wid survives worker restarts. Consecutive pieces of one stream are coalesced
// into the last event until it is sent.
import fs from "node:fs";
import type { EventType, NewEvent } from "../../lib/events/schema";
import { WORKER_EVENT_TYPES as PROTOCOL_WORKER_EVENT_TYPES } from "../../lib/protocol/worker";
import { backoff } from "./channel";
import { HttpError } from "./errors";
import { EventLog, readLog, type Backlog } from "./wal";

export type WorkerEvent = NewEvent & { wid: number; ts: string };

/**
 * The only event types a worker produces. Messages, commits, branch events and usage are the
 * host's to record (it refuses them from a sandbox); a push of any other type is a bug here.
 */
export const WORKER_EVENT_TYPES: ReadonlySet<EventType> = new Set<EventType>(PROTOCOL_WORKER_EVENT_TYPES);
/** Sends one batch; resolves with the host's ack (the highest wid it holds). */
export type PostBatch = (events: WorkerEvent[]) => Promise<number>;

export type OutboxOptions = {
  post: PostBatch;
  /**
   * `outbox.json` in the state dir: the event log is kept beside it (`outbox.log`). The JSON file
   * itself is only read, from a worker of before the log, and removed once its events are logged.
   * Without it, events live in memory only.
   */
  stateFile?: string;
  flushMs?: number;
  flushBytes?: number;
};

type Legacy = { nextWid?: number; unacked?: WorkerEvent[] };

const MAX_BATCH_EVENTS = 1000; // WorkerEventBatchSchema's limit
const MAX_BATCH_BYTES = 2 * 1024 * 1024;
/** Coalesced pieces stop growing here, so one event stays a reasonable row for the host. */
const MAX_MERGED_TEXT = 256 * 1024;
/** Batches on their way to the host at once. */
const MAX_IN_FLIGHT = 2;

const sizeOf = (e: NewEvent) =>
  e.type === "tool.output" || e.type === "assistant.text" || e.type === "setup.output" ? e.data.text.length + 100 : JSON.stringify(e.data).length + 50;

export class Outbox {
  /** Events not yet acknowledged, in wid order (consecutive). */
  private queue: WorkerEvent[] = [];
  private nextWid = 1;
  /** Events up to this wid may have reached the host: they never change again. */
  private sealed = 0;
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Events up to this wid were handed to the host in this life (in flight or answered). */
  private sentUpTo = 0;
  /** Bytes of the events in flight. */
  private sentBytes = 0;
  private inFlight = 0;
  /** What went wrong with a batch, handled once no batch is in flight. */
  private failure: { renumberFrom?: number; retryIn: number } | undefined;
  private attempt = 0;
  private backingOff = false;
  private waiters: { limit: number; resolve: () => void }[] = [];
  private readonly flushMs: number;
  private readonly flushBytes: number;
  private readonly log: EventLog | undefined;

  constructor(private readonly opts: OutboxOptions) {
    this.flushMs = opts.flushMs ?? 50;
    this.flushBytes = opts.flushBytes ?? 256 * 1024;
    const backlog = this.load();
    this.nextWid = backlog.nextWid;
    this.queue = backlog.events;
    // What comes back from the log may have been sent already: it is resent as it was.
    this.sealed = this.nextWid - 1;
    for (const e of this.queue) this.bytes += sizeOf(e);
    if (opts.stateFile) {
      this.log = new EventLog(logFileOf(opts.stateFile), backlog);
      if (this.log.ok) fs.rmSync(opts.stateFile, { force: true });
    }
    if (this.queue.length) this.schedule(0);
  }

  /** Bytes waiting for the host (queued and unacknowledged). */
  get pendingBytes(): number {
    return this.bytes;
  }

  push(event: NewEvent): void {
    if (!WORKER_EVENT_TYPES.has(event.type)) throw new Error(`a worker does not emit ${event.type} events`);
    const last = this.queue[this.queue.length - 1];
    const merged = last && last.wid > this.sealed ? merge(last, event) : null;
    if (merged) {
      this.queue[this.queue.length - 1] = merged;
      this.bytes += sizeOf(merged) - sizeOf(last);
      this.log?.extended(merged.wid, (event.data as { text: string }).text);
    } else {
      const e = { ...event, ts: event.ts ?? new Date().toISOString(), wid: this.nextWid++ } as WorkerEvent;
      this.queue.push(e);
      this.bytes += sizeOf(e);
      this.log?.added(e);
    }
    this.schedule(this.unsentBytes >= this.flushBytes ? 0 : this.flushMs);
  }

  private get unsentBytes(): number {
    return this.bytes - this.sentBytes;
  }

  /** Resolves once at most `limitBytes` are waiting: producers await it to apply backpressure. */
  drained(limitBytes = 0): Promise<void> {
    if (this.bytes <= limitBytes) return Promise.resolve();
    this.schedule(0);
    return new Promise((resolve) => this.waiters.push({ limit: limitBytes, resolve }));
  }

  /** Delivers everything within `deadlineMs`; what could not be delivered stays in the log for the next start. */
  async close(deadlineMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
    const delivered = await Promise.race([this.drained(0).then(() => true as const), timeout]);
    clearTimeout(timer);
    this.saveLeftovers();
    return delivered;
  }

  /** Synchronous last resort for process exit: makes the logged events durable for the next start. */
  saveLeftovers(): void {
    this.log?.syncNow();
  }

  private schedule(ms: number): void {
    // While backing off after a failure, new events wait for the retry instead of hammering.
    if (this.inFlight >= MAX_IN_FLIGHT || this.failure || (this.timer && (ms > 0 || this.backingOff))) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pump(), ms);
  }

  /**
   * Sends what is not yet on its way, up to MAX_IN_FLIGHT batches at once: the host appends one
   * batch while the next is on the wire and being parsed (it stores them in wid order,
   * lib/events/wid-order.ts). A second batch leaves early only when it is full enough to be worth it.
   */
  private pump(): void {
    this.timer = undefined;
    while (this.inFlight < MAX_IN_FLIGHT && !this.failure) {
      const batch = takeBatch(this.queue, this.sentUpTo);
      if (!batch.length) break;
      const size = batch.reduce((n, e) => n + sizeOf(e), 0);
      if (this.inFlight > 0 && size < this.flushBytes) break;
      this.sentUpTo = batch[batch.length - 1].wid;
      this.sentBytes += size;
      this.sealed = Math.max(this.sealed, this.sentUpTo);
      this.inFlight++;
      void this.send(batch);
    }
  }

  private async send(batch: WorkerEvent[]): Promise<void> {
    const last = batch[batch.length - 1].wid;
    try {
      // Written ahead: the batch is on disk before the host can hold it.
      await this.log?.sync();
      const ack = await this.opts.post(batch);
      const acked = this.acknowledge(ack);
      // An ack that covers none of the batch is a failure too: wait before sending it again.
      if (ack < last) this.failure ??= { retryIn: acked ? 0 : -1 };
    } catch (err) {
      const hostAck = err instanceof HttpError && err.status === 409 ? ackFrom(err.body) : null;
      if (hostAck !== null) this.failure = { renumberFrom: hostAck, retryIn: 0 };
      else if (err instanceof HttpError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429) {
        // The host refused the batch itself: resending cannot help, and would block all later events.
        process.stderr.write(`[worker] host rejected ${batch.length} events (dropped): ${err.message}\n`);
        this.acknowledge(last);
      } else this.failure ??= { retryIn: -1 };
    }
    this.inFlight--;
    this.notify();
    if (this.inFlight) this.scheduleUnsent();
    else this.settle();
  }

  /** Once nothing is in flight: handles what went wrong (if anything) and sends what is left. */
  private settle(): void {
    const failure = this.failure;
    this.failure = undefined;
    let retryIn = -2;
    if (failure) {
      if (failure.renumberFrom !== undefined) this.renumber(failure.renumberFrom);
      // Whatever is unacknowledged goes again, from the first unacknowledged event: the host
      // keeps each wid once, so what it already holds is only dropped.
      this.sentUpTo = (this.queue[0]?.wid ?? this.nextWid) - 1;
      this.sentBytes = 0;
      retryIn = failure.retryIn >= 0 ? failure.retryIn : backoff(this.attempt++);
      if (failure.retryIn >= 0) this.attempt = 0;
    } else this.attempt = 0;
    this.backingOff = retryIn > 0;
    if (retryIn >= 0) this.schedule(retryIn);
    else this.scheduleUnsent();
  }

  /** Events not yet on their way go at once when there are enough of them (or someone waits), else after flushMs. */
  private scheduleUnsent(): void {
    if (this.queue.length && this.queue[this.queue.length - 1].wid > this.sentUpTo) this.schedule(this.waiters.length || this.unsentBytes >= this.flushBytes ? 0 : this.flushMs);
  }

  private renumber(ack: number): void {
    this.acknowledge(ack);
    const shift = this.queue.length ? this.queue[0].wid - (ack + 1) : this.nextWid - (ack + 1);
    this.queue = this.queue.map((e) => ({ ...e, wid: e.wid - shift }) as WorkerEvent);
    this.nextWid -= shift;
    this.sealed = Math.max(ack, this.sealed - shift);
    this.log?.rewrite(this.backlog());
  }

  /** Drops what the host holds; says how many events that was. */
  private acknowledge(ack: number): number {
    let n = 0;
    while (n < this.queue.length && this.queue[n].wid <= ack) {
      const size = sizeOf(this.queue[n]);
      this.bytes -= size;
      if (this.queue[n++].wid <= this.sentUpTo) this.sentBytes -= size;
    }
    if (!n) return 0;
    this.queue.splice(0, n);
    this.log?.acked(ack, () => this.backlog());
    return n;
  }

  private backlog(): Backlog {
    return { nextWid: this.nextWid, events: this.queue };
  }

  private notify(): void {
    const ready = this.waiters.filter((w) => this.bytes <= w.limit);
    this.waiters = this.waiters.filter((w) => this.bytes > w.limit);
    for (const w of ready) w.resolve();
  }

  /** The log's backlog, or what a worker of before the log saved at its exit. */
  private load(): Backlog {
    if (!this.opts.stateFile) return { nextWid: 1, events: [] };
    const logged = readLog(logFileOf(this.opts.stateFile));
    if (logged.torn || logged.skipped) process.stderr.write(`[worker] event log: ${logged.torn ? "a torn last line" : ""}${logged.torn && logged.skipped ? " and " : ""}${logged.skipped ? `${logged.skipped} unreadable lines` : ""} ignored\n`);
    const legacy = readLegacy(this.opts.stateFile);
    const events = logged.events.length ? logged.events : (legacy.unacked ?? []);
    const last = events[events.length - 1]?.wid ?? 0;
    return { nextWid: Math.max(logged.nextWid, legacy.nextWid ?? 1, last + 1), events };
  }
}

const logFileOf = (stateFile: string) => stateFile.replace(/(\.json)?$/, ".log");

function readLegacy(file: string): Legacy {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Legacy;
  } catch {
    return {};
  }
}

/** Merges `next` into `last` when both are pieces of the same stream; null when they are not. */
function merge(last: WorkerEvent, next: NewEvent): WorkerEvent | null {
  if (last.type === "tool.output" && next.type === "tool.output") {
    if (last.data.callId !== next.data.callId || last.data.stream !== next.data.stream) return null;
    if (last.data.text.length >= MAX_MERGED_TEXT) return null;
    return { ...last, data: { ...last.data, text: last.data.text + next.data.text } };
  }
  if (last.type === "setup.output" && next.type === "setup.output") {
    if (last.data.stream !== next.data.stream || last.data.text.length >= MAX_MERGED_TEXT) return null;
    return { ...last, data: { ...last.data, text: last.data.text + next.data.text } };
  }
  if (last.type === "assistant.text" && next.type === "assistant.text") {
    if (last.data.block !== next.data.block || last.data.text.length >= MAX_MERGED_TEXT) return null;
    return { ...last, data: { ...last.data, text: last.data.text + next.data.text } };
  }
  return null;
}

/** The next batch: the events after wid `after`, within the batch limits. */
function takeBatch(unacked: WorkerEvent[], after: number): WorkerEvent[] {
  const start = unacked.length && unacked[0].wid <= after ? Math.min(unacked.length, after - unacked[0].wid + 1) : 0;
  let bytes = 0;
  let n = start;
  while (n < unacked.length && n - start < MAX_BATCH_EVENTS && (n === start || bytes + sizeOf(unacked[n]) <= MAX_BATCH_BYTES)) {
    bytes += sizeOf(unacked[n++]);
  }
  return unacked.slice(start, n);
}

/** The host's ack from a 409 answer ({error, ack}), or null. */
function ackFrom(body: string): number | null {
  try {
    const ack = (JSON.parse(body) as { ack?: unknown }).ack;
    return typeof ack === "number" && Number.isInteger(ack) && ack >= 0 ? ack : null;
  } catch {
    return null;
  }
}
