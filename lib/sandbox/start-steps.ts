// Where a session's start spends its time, step by step (the session-start benchmark reads them).
// With DOCKSIDE_START_STEPS_FILE set, each launch appends one JSON line there; otherwise nothing
// is kept (a mark costs a performance.now()).
import fs from "node:fs";
import path from "node:path";
import { env } from "../config/env";

export class StartSteps {
  private readonly t0 = performance.now();
  private last = this.t0;
  readonly steps: Record<string, number> = {};

  /** Records the time since the previous mark under `name` (summed when a name repeats). */
  mark(name: string): void {
    const now = performance.now();
    this.steps[name] = (this.steps[name] ?? 0) + Math.round((now - this.last) * 10) / 10;
    this.last = now;
  }

  /** Appends the steps as one line of `DOCKSIDE_START_STEPS_FILE`, if set. */
  write(sessionId: string, extra: Record<string, unknown> = {}): void {
    const name = env().DOCKSIDE_START_STEPS_FILE;
    if (!name) return;
    const file = path.resolve(env().dataDir, name);
    const line = JSON.stringify({ sessionId, at: Date.now(), totalMs: Math.round(performance.now() - this.t0), steps: this.steps, ...extra });
    fs.appendFileSync(file, line + "\n");
  }
}
