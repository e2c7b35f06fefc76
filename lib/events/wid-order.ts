// A worker keeps up to two event batches in flight (sandbox/worker/outbox.ts), on separate HTTP
// requests, so the second can reach the host first. The store refuses a batch whose first new wid
// is not ack + 1 (409), which would send the worker back to the first one. This puts batches into
// the session's append chain in wid order instead: a batch that starts past what the chain already
// holds waits, briefly, for the batch before it. It only orders; the store still checks every wid
// (a gap that is real, or a batch whose predecessor never comes, is still a 409 after the wait).
// What entered the chain but was refused leaves `upTo` too high: harmless, a batch then only skips
// the wait and meets the store's check at once.

/** How long a batch waits for its predecessor before it is appended anyway (and refused). */
export const WID_WAIT_MS = 2000;
/** Batches waiting at once per session: a worker has two in flight; more go straight to the store. */
const MAX_WAITING = 4;

export class WidOrder {
  /** The highest wid of a batch handed to the append chain (undefined: not known yet). */
  private upTo: number | undefined;
  private loading: Promise<number> | undefined;
  private readonly waiting = new Map<number, () => void>();

  /** `storedAck` reads the session's worker ack once, the first time a batch arrives. */
  constructor(private readonly storedAck: () => Promise<number>, private readonly waitMs = WID_WAIT_MS) {}

  /**
   * Calls `append` (which must enter the session's append chain synchronously) once every batch
   * before wid `first` has entered it, or after the wait; returns its result.
   */
  async run<T>(first: number, last: number, append: () => Promise<T>): Promise<T> {
    if (this.upTo === undefined) {
      this.loading ??= this.storedAck();
      const ack = await this.loading;
      this.upTo ??= ack;
    }
    if (first > this.upTo + 1 && !this.waiting.has(first) && this.waiting.size < MAX_WAITING) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(release, this.waitMs);
        const waiting = this.waiting;
        function release() {
          clearTimeout(timer);
          waiting.delete(first);
          resolve();
        }
        this.waiting.set(first, release);
      });
    }
    // Synchronous from here to the append entering the chain, so that a successor released just
    // below cannot enter before this batch.
    const result = append();
    this.upTo = Math.max(this.upTo ?? 0, last);
    this.waiting.get(this.upTo + 1)?.();
    return result;
  }

}
