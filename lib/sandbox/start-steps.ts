// Where a session's start spends its time, step by step (the session-start benchmark reads them).
// With DOCKSIDE_START_STEPS_FILE set, each launch appends one JSON line there, and then a second
// one once its worker's first model request arrives: when the worker first asked for each
// channel endpoint, in ms since the launch began (since the session was asked for, for a new one) (the part of a start after the host's steps).
// Otherwise nothing is kept (a mark costs a performance.now()).
import fs from "node:fs";
import path from "node:path";
import { env } from "../config/env";

/** Launches whose worker has not asked for a model answer yet (only while tracing; a few at most). */
const tracing = new Map<string, StartSteps>();
const MAX_TRACED = 64;

export class StartSteps {
  private last: number;
  readonly steps: Record<string, number> = {};
  /** First request of each channel endpoint, ms since t0. */
  private readonly worker: Record<string, number> = {};

  /** `t0`: when the session was asked for (its first step, `created`, is the request's part), else now. */
  constructor(private readonly t0 = performance.now()) {
    this.last = t0;
    if (t0 < performance.now()) this.mark("created");
  }

  /** A launch's steps; traced into the worker's first requests when the steps file is set. */
  static begin(sessionId: string, since?: number): StartSteps {
    const steps = new StartSteps(since);
    if (env().DOCKSIDE_START_STEPS_FILE && tracing.size < MAX_TRACED) tracing.set(sessionId, steps);
    return steps;
  }

  /** The session's worker asked for `request` (`GET /worker/config`): its first time is kept. */
  static seen(sessionId: string, request: string): void {
    const steps = tracing.get(sessionId);
    if (!steps) return;
    steps.worker[request] ??= Math.round((performance.now() - steps.t0) * 10) / 10;
    if (request !== "POST /v1/messages") return;
    tracing.delete(sessionId);
    steps.append({ sessionId, at: Date.now(), worker: steps.worker });
  }

  /** Records the time since the previous mark under `name` (summed when a name repeats). */
  mark(name: string): void {
    const now = performance.now();
    this.steps[name] = (this.steps[name] ?? 0) + Math.round((now - this.last) * 10) / 10;
    this.last = now;
  }

  /** Appends the steps as one line of `DOCKSIDE_START_STEPS_FILE`, if set. */
  write(sessionId: string, extra: Record<string, unknown> = {}): void {
    // monoT0Us: t0 on the monotonic clock a --cpu-prof profile's timestamps use, to cut the server's profile to this start.
    const monoT0Us = Math.round(Number(process.hrtime.bigint() / 1000n) - (performance.now() - this.t0) * 1000);
    this.append({ sessionId, at: Date.now(), totalMs: Math.round(performance.now() - this.t0), monoT0Us, steps: this.steps, ...extra });
  }

  private append(line: Record<string, unknown>): void {
    const name = env().DOCKSIDE_START_STEPS_FILE;
    if (!name) return;
    fs.appendFileSync(path.resolve(env().dataDir, name), JSON.stringify(line) + "\n");
  }
}
