// Replays of a session's log to one socket: in pages, with limits per socket and per process.
//
// A subscribe sends the browser what it lacks of the log, from PostgreSQL. Unbounded, one
// connection subscribing 40 times at once (a page gone wrong, or a hostile one) made 40 copies
// of the log wait in memory at once. Here:
// - a page is about PAGE_BYTES (how many events are read adapts to their size), and the next
//   one is read only once the previous has been handed to the connection's socket;
// - a socket runs at most IN_FLIGHT replays; further subscribes wait, and those for a session
//   already waiting are served by that same replay, from the earliest `after` (browsers drop
//   seqs they hold); past QUEUED waiting sessions a subscribe is refused with `busy`;
// - at most PAGES_AT_ONCE pages are read and serialised at a time in the whole process.
import { readEvents } from "../events/store";
import type { SessionEvent } from "../events/schema";

const PAGE_BYTES = 1024 * 1024;
const MAX_PAGE_EVENTS = 500;
const FIRST_PAGE_EVENTS = 100;
export const IN_FLIGHT = 2;
export const QUEUED = 32;
const PAGES_AT_ONCE = 4;

/** Where a replay writes: the socket's `events` emit, its write-buffer drain and whether it is gone. */
export interface ReplayTarget {
  emit(sessionId: string, events: SessionEvent[]): void;
  /** Resolves once what was emitted has left the process (or the socket closed). */
  sent(): Promise<void>;
  closed(): boolean;
}

/** A subscribe refused because this socket already has as many replays as it may. */
export class ReplayBusy extends Error {
  constructor() {
    super(`too many subscribes at once on this connection (${IN_FLIGHT} replaying, ${QUEUED} waiting): retry once one has finished`);
  }
}

type Waiting = { after: number; settle: ((r: number | Error) => void)[] };

/** One socket's replays. */
export class SocketReplays {
  private running = 0;
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly target: ReplayTarget) {}

  /** Whether a subscribe to `sessionId` would be taken now (not refused with ReplayBusy). */
  takes(sessionId: string): boolean {
    return this.waiting.has(sessionId) || this.running < IN_FLIGHT || this.waiting.size < QUEUED;
  }

  /** Replays `sessionId` after `after`; resolves to the last seq sent. Rejects with ReplayBusy. */
  request(sessionId: string, after: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const settle = (r: number | Error) => (r instanceof Error ? reject(r) : resolve(r));
      const queued = this.waiting.get(sessionId);
      if (queued) {
        queued.after = Math.min(queued.after, after);
        queued.settle.push(settle);
        return;
      }
      if (!this.takes(sessionId)) return reject(new ReplayBusy());
      this.waiting.set(sessionId, { after, settle: [settle] });
      this.next();
    });
  }

  private next(): void {
    while (this.running < IN_FLIGHT && this.waiting.size) {
      const [sessionId, job] = this.waiting.entries().next().value as [string, Waiting];
      this.waiting.delete(sessionId);
      this.running++;
      void replayPages(sessionId, job.after, this.target)
        .then((last) => last, (err: unknown) => (err instanceof Error ? err : new Error(String(err))))
        .then((r) => {
          for (const s of job.settle) s(r);
          this.running--;
          this.next();
        });
    }
  }
}

/** Sends the log after `after` in pages; resolves to the last seq sent (`after` when none). */
export async function replayPages(sessionId: string, after: number, target: ReplayTarget): Promise<number> {
  let last = after;
  let limit = FIRST_PAGE_EVENTS;
  for (;;) {
    if (target.closed()) return last;
    const page = await pages.run(async () => {
      const batch = await readEvents(sessionId, last, limit, PAGE_BYTES);
      if (batch.length && !target.closed()) target.emit(sessionId, batch);
      return batch;
    });
    if (!page.length) return last;
    last = page[page.length - 1].seq;
    const average = page.reduce((n, e) => n + sizeOf(e), 0) / page.length;
    limit = Math.max(1, Math.min(MAX_PAGE_EVENTS, Math.floor(PAGE_BYTES / average)));
    await target.sent();
  }
}

// readEvents' own estimate: text pieces by their length, anything else as a small row.
const sizeOf = (e: SessionEvent) => (e.type === "tool.output" || e.type === "assistant.text" ? e.data.text.length : 256);

/** At most `n` tasks at a time; the rest wait in order. */
class Gate {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly n: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.n) await new Promise<void>((r) => this.queue.push(r));
    else this.active++;
    try {
      return await task();
    } finally {
      const wake = this.queue.shift();
      if (wake) wake();
      else this.active--;
    }
  }
}

const pages = new Gate(PAGES_AT_ONCE);
