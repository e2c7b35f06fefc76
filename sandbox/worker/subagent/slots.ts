// A counting semaphore: at most `size` holders; the others wait in order, and stop waiting when aborted.
import { Interrupted } from "../errors";

export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  /** Resolves with the release function once a slot is free; throws Interrupted when aborted first. */
  async take(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) throw new Interrupted("aborted");
    if (this.free > 0) {
      this.free--;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        signal.removeEventListener("abort", stop);
        resolve();
      };
      const stop = () => {
        this.waiting.splice(this.waiting.indexOf(go), 1);
        reject(new Interrupted("aborted"));
      };
      this.waiting.push(go);
      signal.addEventListener("abort", stop, { once: true });
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      // A waiter takes the slot over directly, so a newcomer cannot jump the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}
