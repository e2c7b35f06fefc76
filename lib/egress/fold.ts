// Refusals a person sees, without a flood: a sandbox retrying a blocked host in a loop would
// otherwise write one log line per attempt. The first refusal of a host:port in a phase is
// reported at once; repeats within the window are counted and reported as one event when it ends
// (and a new window starts, so a steady loop costs one event per window). The number of windows is
// bounded: past it, refusals of further hosts fold into one "other hosts" entry.
import type { EgressPhase } from "./decide";

export interface Blocked {
  host: string;
  port: number;
  phase: EgressPhase;
  reason: string;
  /** Refusals folded into this event (after the first, which was reported on its own). */
  repeats?: number;
}

const MAX_WINDOWS = 1000;

interface Window {
  last: Blocked;
  count: number;
  timer: NodeJS.Timeout;
}

export class BlockedFolder {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly windowMs: number,
    private readonly emit: (b: Blocked) => void,
  ) {}

  report(b: Blocked): void {
    let key = `${b.host}\0${b.port}\0${b.phase}`;
    if (!this.windows.has(key) && this.windows.size >= MAX_WINDOWS) {
      key = `\0other\0${b.phase}`;
      b = { host: "(other hosts)", port: 0, phase: b.phase, reason: `more than ${MAX_WINDOWS} hosts were refused within a minute; the rest are counted here` };
    }
    const w = this.windows.get(key);
    if (w) {
      w.count++;
      w.last = b;
      return;
    }
    this.send(b);
    this.open(key, b);
  }

  /** Reports every pending count now (on close). */
  flush(): void {
    for (const w of this.windows.values()) {
      clearTimeout(w.timer);
      if (w.count > 0) this.send({ ...w.last, repeats: w.count });
    }
    this.windows.clear();
  }

  private open(key: string, b: Blocked): void {
    const timer = setTimeout(() => this.end(key), this.windowMs);
    timer.unref();
    this.windows.set(key, { last: b, count: 0, timer });
  }

  private end(key: string): void {
    const w = this.windows.get(key);
    if (!w) return;
    this.windows.delete(key);
    if (w.count === 0) return;
    this.send({ ...w.last, repeats: w.count });
    this.open(key, w.last);
  }

  // The listener is the caller's code: its failure must not take the proxy down.
  private send(b: Blocked): void {
    try {
      this.emit(b);
    } catch (err) {
      console.error("egress onBlocked failed:", err);
    }
  }
}
