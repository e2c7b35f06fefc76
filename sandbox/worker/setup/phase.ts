// The setup phase, before the agent's first turn (main.ts), as the host planned it:
//  - none:    nothing, no events;
//  - restore: unpack the cached environment (restore.ts) -> `setup cached`; if that fails, say so
//             and run the script as below;
//  - script:  run it (script.ts), output as `setup.output` (log.ts); exit 0 -> snapshot
//             (snapshot.ts; not cached: one line saying why) -> `setup ok`; else `setup failed`
//             with the output's tail, and the worker fails the session.
// Each ends with POST /worker/setup/done. A stop ends it with `setup failed` and Interrupted.
import { ev, type NewEvent } from "../../../lib/events/schema";
import type { SetupDone, SetupPlan, WorkerConfig } from "../../../lib/protocol/worker";
import { agentUserOf } from "../agent-user";
import type { Channel } from "../channel";
import { untilAborted } from "../deliver";
import { Interrupted } from "../errors";
import { secretValues } from "../mask";
import { SetupLog } from "./log";
import { describeError, fetchPlan, reportDone } from "./plan";
import { restoreSnapshot } from "./restore";
import { failure, runScript } from "./script";
import { uploadSnapshot } from "./snapshot";
import { excludeSetupResults } from "./exclude";

export type SetupDeps = {
  channel: Channel;
  emit(e: NewEvent): void;
  /** Resolves once every event so far reached the host (Outbox.drained(0)). */
  delivered(): Promise<void>;
  config: WorkerConfig;
  workspace: string;
  /** The agent's home: part of the snapshot. */
  home: string;
  /** Aborted on stop: the script is killed and runSetup throws Interrupted. */
  signal: AbortSignal;
};

export type SetupOutcome = {
  /** Why the session cannot go on (the setup script failed); absent when the agent may start. */
  failed?: string;
  /** The host took the end of setup (or there was none): the saved state may say setup is done. */
  recorded: boolean;
};

type Work = Exclude<SetupPlan, { run: "none" }>;

/** `given`: the plan, asked for already (main.ts asks alongside the config); fetched here otherwise. */
export async function runSetup(deps: SetupDeps, given?: SetupPlan): Promise<SetupOutcome> {
  const plan = given ?? (await fetchPlan(deps.channel, deps.signal));
  if (plan.run === "none") return { recorded: true }; // the host marked it skipped itself
  return new SetupRun(deps, plan).run();
}

class SetupRun {
  private readonly started = Date.now();
  private readonly log: SetupLog;

  constructor(
    private readonly deps: SetupDeps,
    private readonly plan: Work,
  ) {
    // The agent's secrets too: a setup may print anything it can reach.
    this.log = new SetupLog(deps.emit, secretValues(plan.env, deps.config.agentEnv));
  }

  async run(): Promise<SetupOutcome> {
    const { plan } = this;
    this.event({ state: "running" });
    try {
      if (plan.run === "restore" && (await this.restore())) {
        await this.exclude();
        this.event({ state: "cached", durationMs: this.elapsed() });
        return { recorded: await this.done({ ok: true, state: "cached" }) };
      }
      return await this.script();
    } catch (err) {
      const stopped = err instanceof Interrupted || this.deps.signal.aborted;
      const reason = stopped ? "stopped before setup finished" : `the worker could not run setup: ${err instanceof Error ? err.message : String(err)}`;
      this.event({ state: "failed", durationMs: this.elapsed(), exitCode: null, reason });
      if (!stopped) throw err;
      throw err instanceof Interrupted ? err : new Interrupted("stopped");
    }
  }

  /** True when the cached environment is in place; false (and a line saying why) when not. */
  private async restore(): Promise<boolean> {
    try {
      await restoreSnapshot({ channel: this.deps.channel, user: agentUserOf(this.deps.config), signal: this.deps.signal });
      return true;
    } catch (err) {
      this.checkStop();
      this.log.note(`the cached environment could not be restored (${describeError(err)}): running the setup script instead`);
      return false;
    }
  }

  private async script(): Promise<SetupOutcome> {
    const { plan, deps } = this;
    const user = agentUserOf(deps.config);
    const result = await runScript({ script: plan.script, env: plan.env, timeoutS: plan.timeoutS, workspace: deps.workspace, user, log: this.log, signal: deps.signal });
    this.checkStop();
    if (result.error || result.ended || result.code !== 0) {
      const tail = this.log.tail();
      const reason = failure(result, plan.timeoutS) + (tail ? `: ${tail}` : "");
      this.event({ state: "failed", durationMs: this.elapsed(), exitCode: result.code, reason });
      await this.done({ ok: false, state: "failed" });
      return { failed: reason, recorded: false };
    }
    try {
      await uploadSnapshot({ channel: deps.channel, user, workspace: deps.workspace, home: deps.home, key: plan.key, setupMs: result.durationMs, signal: deps.signal });
    } catch (err) {
      this.checkStop();
      this.log.note(`the environment was not cached: ${describeError(err)}`);
    }
    await this.exclude();
    this.event({ state: "ok", durationMs: this.elapsed(), exitCode: 0 });
    return { recorded: await this.done({ ok: true, state: "ok" }) };
  }

  /** Keeps the setup's results out of the agent's commits (a failure is a note, not a failed setup). */
  private async exclude(): Promise<void> {
    try {
      await excludeSetupResults(this.deps.workspace, agentUserOf(this.deps.config), this.deps.signal);
    } catch (err) {
      this.checkStop();
      this.log.note(`setup's files could not be kept out of the agent's commits: ${describeError(err)}`);
    }
  }

  /** The host hears the end of setup after its events: what it shows is complete by then. */
  private async done(done: SetupDone): Promise<boolean> {
    await untilAborted(this.deps.delivered(), this.deps.signal);
    return reportDone(this.deps.channel, done, this.deps.signal);
  }

  private event(data: { state: "running" | "ok" | "failed" | "cached"; durationMs?: number; exitCode?: number | null; reason?: string }): void {
    this.deps.emit(ev("setup", { ...data, source: this.plan.source }));
  }

  private elapsed(): number {
    return Date.now() - this.started;
  }

  private checkStop(): void {
    if (this.deps.signal.aborted) throw new Interrupted("stopped");
  }
}
