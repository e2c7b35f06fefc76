// Delivers the worker's events to the host exactly once: each event gets a wid (1, 2, 3...) when
// it leaves the coalescing queue, stays until the host acknowledges it, and is resent after
// failures. The host stores each wid at most once, so the next wid survives worker restarts.
import fs from "node:fs";
import type { EventType, NewEvent } from "../../lib/events/schema";
import { backoff } from "./channel";
import { HttpError } from "./errors";

export type WorkerEvent = NewEvent & { wid: number; ts: string };

/**
 * The only event types a worker produces. Messages, commits, branch events and usage are the
 * host's to record (it refuses them from a sandbox); a push of any other type is a bug here.
 */
export const WORKER_EVENT_TYPES: ReadonlySet<EventType> = new Set<EventType>(["assistant.text", "tool.call", "tool.output", "tool.result", "status", "error"]);
/** Sends one batch; resolves with the host's ack (the highest wid it holds). */
export type PostBatch = (events: WorkerEvent[]) => Promise<number>;

export type OutboxOptions = {
  post: PostBatch;
  /** Where the next wid (and, at exit, undelivered events) are kept across restarts. */
  stateFile?: string;
  flushMs?: number;
  flushBytes?: number;
};

type Stamped = NewEvent & { ts: string };
type Saved = { nextWid: number; unacked?: WorkerEvent[] };

const MAX_BATCH_EVENTS = 1000; // WorkerEventBatchSchema's limit
const MAX_BATCH_BYTES = 2 * 1024 * 1024;
/** Coalesced pieces stop growing here, so one event stays a reasonable row for the host. */
const MAX_MERGED_TEXT = 256 * 1024;

const sizeOf = (e: NewEvent) =>
  e.type === "tool.output" || e.type === "assistant.text" ? e.data.text.length + 100 : JSON.stringify(e.data).length + 50;

export class Outbox {
  private pending: Stamped[] = [];
  private unacked: WorkerEvent[] = [];
  private nextWid = 1;
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private sending = false;
  private attempt = 0;
  private backingOff = false;
  private waiters: { limit: number; resolve: () => void }[] = [];
  private readonly flushMs: number;
  private readonly flushBytes: number;

  constructor(private readonly opts: OutboxOptions) {
    this.flushMs = opts.flushMs ?? 50;
    this.flushBytes = opts.flushBytes ?? 256 * 1024;
    const saved = this.load();
    this.nextWid = saved.nextWid;
    this.unacked = saved.unacked ?? [];
    for (const e of this.unacked) this.bytes += sizeOf(e);
    if (this.unacked.length) this.schedule(0);
  }

  /** Bytes waiting for the host (queued and unacknowledged). */
  get pendingBytes(): number {
    return this.bytes;
  }

  push(event: NewEvent): void {
    if (!WORKER_EVENT_TYPES.has(event.type)) throw new Error(`a worker does not emit ${event.type} events`);
    const last = this.pending[this.pending.length - 1];
    const merged = last && merge(last, event);
    if (merged) {
      this.pending[this.pending.length - 1] = merged;
      this.bytes += sizeOf(merged) - sizeOf(last);
    } else {
      this.pending.push({ ...event, ts: event.ts ?? new Date().toISOString() });
      this.bytes += sizeOf(event);
    }
    this.schedule(this.bytes >= this.flushBytes ? 0 : this.flushMs);
  }

  /** Resolves once at most `limitBytes` are waiting: producers await it to apply backpressure. */
  drained(limitBytes = 0): Promise<void> {
    if (this.bytes <= limitBytes) return Promise.resolve();
    this.schedule(0);
    return new Promise((resolve) => this.waiters.push({ limit: limitBytes, resolve }));
  }

  /** Delivers everything within `deadlineMs`; what could not be delivered is saved for the next start. */
  async close(deadlineMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
    const delivered = await Promise.race([this.drained(0).then(() => true as const), timeout]);
    clearTimeout(timer);
    if (delivered) this.save({ nextWid: this.nextWid });
    else this.saveLeftovers();
    return delivered;
  }

  /** Synchronous last resort for process exit: keeps undelivered events for the next start. */
  saveLeftovers(): void {
    this.number();
    if (this.unacked.length) this.save({ nextWid: this.nextWid, unacked: this.unacked });
  }

  private schedule(ms: number): void {
    // While backing off after a failure, new events wait for the retry instead of hammering.
    if (this.sending || (this.timer && (ms > 0 || this.backingOff))) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pump(), ms);
  }

  /** Gives the queued events their wids; the next wid is saved before any of them is sent. */
  private number(): void {
    if (!this.pending.length) return;
    for (const e of this.pending) this.unacked.push({ ...e, wid: this.nextWid++ } as WorkerEvent);
    this.pending = [];
    this.save({ nextWid: this.nextWid });
  }

  private async pump(): Promise<void> {
    this.timer = undefined;
    this.sending = true;
    this.number();
    const batch = takeBatch(this.unacked);
    let retryIn = -1;
    try {
      const before = this.unacked.length;
      if (batch.length) this.acknowledge(await this.opts.post(batch));
      // An ack that covers none of the batch is a failure too: wait before sending it again.
      if (batch.length && this.unacked.length === before) retryIn = backoff(this.attempt++);
      else this.attempt = 0;
    } catch (err) {
      const hostAck = err instanceof HttpError && err.status === 409 ? ackFrom(err.body) : null;
      if (hostAck !== null) {
        // Event numbers must advance one by one. After a crash that lost events the host never
        // stored, our numbers skip ahead: renumber what is unacknowledged from the host's ack.
        this.renumber(hostAck);
        retryIn = 0;
      } else if (err instanceof HttpError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429) {
        // The host refused the batch itself: resending cannot help, and would block all later events.
        process.stderr.write(`[worker] host rejected ${batch.length} events (dropped): ${err.message}\n`);
        this.acknowledge(batch[batch.length - 1].wid);
      } else {
        retryIn = backoff(this.attempt++);
      }
    }
    this.sending = false;
    this.backingOff = retryIn >= 0;
    this.notify();
    if (retryIn >= 0) this.schedule(retryIn);
    else if (this.unacked.length || this.waiters.length) this.schedule(0);
    else if (this.pending.length) this.schedule(this.bytes >= this.flushBytes ? 0 : this.flushMs);
  }

  private renumber(ack: number): void {
    this.acknowledge(ack);
    let wid = ack + 1;
    this.unacked = this.unacked.map((e) => ({ ...e, wid: wid++ }) as WorkerEvent);
    this.nextWid = wid;
    this.save({ nextWid: this.nextWid });
  }

  private acknowledge(ack: number): void {
    while (this.unacked.length && this.unacked[0].wid <= ack) this.bytes -= sizeOf(this.unacked.shift()!);
  }

  private notify(): void {
    const ready = this.waiters.filter((w) => this.bytes <= w.limit);
    this.waiters = this.waiters.filter((w) => this.bytes > w.limit);
    for (const w of ready) w.resolve();
  }

  private load(): Saved {
    if (!this.opts.stateFile || !fs.existsSync(this.opts.stateFile)) return { nextWid: 1 };
    const saved = JSON.parse(fs.readFileSync(this.opts.stateFile, "utf8")) as Saved;
    return { nextWid: Math.max(1, saved.nextWid || 1), unacked: saved.unacked };
  }

  private save(saved: Saved): void {
    if (!this.opts.stateFile) return;
    fs.writeFileSync(this.opts.stateFile + ".tmp", JSON.stringify(saved));
    fs.renameSync(this.opts.stateFile + ".tmp", this.opts.stateFile);
  }
}

/** Merges `next` into `last` when both are pieces of the same stream; null when they are not. */
function merge(last: Stamped, next: NewEvent): Stamped | null {
  if (last.type === "tool.output" && next.type === "tool.output") {
    if (last.data.callId !== next.data.callId || last.data.stream !== next.data.stream) return null;
    if (last.data.text.length >= MAX_MERGED_TEXT) return null;
    return { ...last, data: { ...last.data, text: last.data.text + next.data.text } };
  }
  if (last.type === "assistant.text" && next.type === "assistant.text") {
    if (last.data.block !== next.data.block || last.data.text.length >= MAX_MERGED_TEXT) return null;
    return { ...last, data: { ...last.data, text: last.data.text + next.data.text } };
  }
  return null;
}

function takeBatch(unacked: WorkerEvent[]): WorkerEvent[] {
  let bytes = 0;
  let n = 0;
  while (n < unacked.length && n < MAX_BATCH_EVENTS && (n === 0 || bytes + sizeOf(unacked[n]) <= MAX_BATCH_BYTES)) {
    bytes += sizeOf(unacked[n++]);
  }
  return unacked.slice(0, n);
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
