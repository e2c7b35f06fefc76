// Owns session lifecycles: creation, the launch (workspace, worker channel, sandbox: launch.ts),
// stop, restart for follow-ups, and reattaching to sandboxes that kept running while the server was down.
import path from "node:path";
import { env } from "../config/env";
import { db } from "../db/client";
import { AppError } from "../errors";
import { ev, type NewEvent, type SessionStatus } from "../events/schema";
import { isTerminal, isWorking, LIVE_STATUSES } from "../events/status";
import type { AppendPlan, AppendResult, LockedSession } from "../events/store";
import { cancelPendingApprovals, type ApprovalRecorder } from "../approvals/decide";
import { wakeApprovalPolls } from "../approvals/waiters";
import { sessionPaths } from "../git/workspace";
import { endStatus } from "./sandbox-end";
import type { CreateSessionInput, SessionDto } from "../protocol/api";
import { inspectSandbox, stopSandbox, waitSandbox, type SandboxState } from "../sandbox/container";
import { WarmPool } from "../sandbox/warm-pool";
import { engineStatus, engineUnavailable, isEngineUnreachable, rethrowEngine } from "../sandbox/docker";
import { engineList, engineLoads, multiEngine, runsOn } from "../sandbox/engines";
import { EngineSet, type EngineWatchOptions } from "../runner/engine-watch";
import { assertDiskFloor } from "../sandbox/disk-guard";
import { releaseSessionFs } from "../sandbox/session-fs";
import { insertSession } from "./create-session";
import { recordAudit } from "../audit/record";
import { getSession, toDto } from "./dto";
import { LiveSession } from "./live-session";
import { WorkerConfigs } from "./worker-config";
import { launchSandbox, sessionFs, type Launcher } from "./launch";
import { failSessionsOn, LAUNCHING, reconcileSession, recoverSession, removeStrays, type Keeper } from "./recovery";
import { Ownership } from "./ownership";
import { stalledLaunches } from "./stalled-launch";
import { announce, onControl, type ControlNotice } from "../realtime/control";

/** The person behind an action, as recorded in events and the audit trail. */
export interface Actor {
  id: string;
  name: string;
}

/** Where a forked session's branch starts: a checkpoint of another session. */
export interface ForkPoint {
  sessionId: string;
  sha: string;
}

const ACTIVE = [...LIVE_STATUSES];

export class Orchestrator implements ApprovalRecorder {
  private live = new Map<string, LiveSession>();
  /** The sessions this instance runs (leases; several instances on one database). */
  private readonly owner = new Ownership({ lost: (id) => this.detach(id), takeOver: (ids) => this.recover(ids), stalled: (held) => stalledLaunches(held, this.keeper) });
  private readonly unhookControl: () => void;

  /** Sandboxes started ahead of sessions (DOCKSIDE_WARM_POOL per engine; started with the engine watch). */
  readonly warmPool: WarmPool;

  /** `poolVersion`: what a pooled sandbox must have booted from (tests stand in for a new image or bundle). */
  constructor(private readonly workerDir = path.resolve("sandbox/dist"), opts: { warmPool?: number; poolVersion?: () => string } = {}) {
    this.warmPool = new WarmPool(opts.warmPool ?? env().DOCKSIDE_WARM_POOL, opts.poolVersion);
    this.unhookControl = onControl((n) => void this.control(n).catch((err) => console.error(`[sessions] ${n.op} for ${n.sessionId}`, err)));
  }

  /** `routineId`: the session is a run of that routine (lib/routines/start-run.ts). */
  async createSession(teamId: string, input: CreateSessionInput, author?: Actor, fork?: ForkPoint, routineId?: string): Promise<SessionDto> {
    const asked = performance.now();
    // A warm sandbox is claimed (an engine round trip) while the input is checked.
    const claimed = fork ? Promise.resolve(null) : this.warmPool.claim();
    const { id, mirror, sandboxUid } = await assertDiskFloor()
      .then(() => insertSession(teamId, input, author?.id, routineId, { claimed, refreshMirror: true }))
      .catch(async (err: unknown) => {
        const warm = await claimed;
        if (warm) this.warmPool.giveBack(warm);
        throw err;
      });
    // From here on a resync must not launch it a second time, here or (the lease) on another instance.
    this.launching.add(id);
    const mine = await this.own(id);
    // Another instance's takeover scan saw it first (a few milliseconds without a lease): it launches it.
    if (!mine) this.launching.delete(id);
    // Ours: its filesystem (mkfs and mounts, the longest part of a cold launch) is made from now on.
    else this.early.set(id, { fs: quiet(sessionFs(id, sandboxUid)), mirror, asked });
    // On the row, not in memory: a restart before the launch imported it still forks (never starts from the base).
    if (fork) await db().session.update({ where: { id }, data: { forkSourceId: fork.sessionId, forkSha: fork.sha } });
    const live = this.liveFor(id);
    await live.append([ev("user.message", { text: input.prompt, author: author?.name, authorId: author?.id }), ev("status", { status: "queued" })]);
    if (mine) void this.launch(id, true);
    else this.releaseIfDormant(id);
    const [, row] = await Promise.all([recordAudit({ teamId, actor: author ?? null, action: "session.started", targetType: "session", targetId: id, data: { repo: input.repo } }), getSession(teamId, id)]);
    return toDto(row);
  }

  async sendMessage(teamId: string, id: string, text: string, author?: Actor): Promise<void> {
    let s = await getSession(teamId, id);
    // Another instance runs it: the message is stored here and that instance delivers it.
    if (!(await this.own(id))) return this.messageForOwner(teamId, s.id, s.status as SessionStatus, text, author);
    this.setEngine(id, s.engine);
    // A container thought to run may have died while the engine's connection was down: look now,
    // so the message either reaches a worker or starts one (an unreachable engine answers 503).
    const tracked = this.live.get(id);
    const FOLLOW_UP = "starting the sandbox for a follow-up (it was not sent; send it again once the engine is back)";
    if (tracked?.containerId && !this.launching.has(id)) {
      const settled = await reconcileSession(this.keeper, tracked).catch((err) => rethrowEngine(err, FOLLOW_UP));
      if (settled) s = await getSession(teamId, id);
    }
    const live = this.live.get(id);
    const working = isWorking(s.status);
    const relaunch = !live?.containerId && !working && !LAUNCHING.includes(s.status as SessionStatus);
    // A session still being launched gets its workspace soon; any other needs one already.
    if (!live?.containerId && !LAUNCHING.includes(s.status as SessionStatus) && !s.baseCommit) {
      throw new AppError("conflict", `this session ${s.status === "failed" ? `failed (${s.failureReason})` : "has no workspace"}; start a new session`);
    }
    if (relaunch) {
      // Starting again needs the engine: say so now rather than accept a message nothing will run.
      // Its own engine, or (several engines) any that answers: launch() moves it there.
      const engine = await engineStatus(2000, s.engine);
      const elsewhere = !engine.ok && multiEngine() && (await engineLoads()).some((l) => l.reachable);
      if (!engine.ok && !elsewhere) throw engineUnavailable(new Error(engine.error), FOLLOW_UP, s.engine);
      if (this.launching.has(id)) throw new AppError("conflict", "the session is being started; send the message again in a moment");
      this.launching.add(id);
    }
    try {
      // A new run: the stop asked of the last one is done.
      if (relaunch) await db().session.update({ where: { id }, data: { stopRequestedAt: null, stopReason: null } });
      await this.liveFor(id).append([ev("user.message", { text, author: author?.name, authorId: author?.id, queued: working || undefined })]);
      await recordAudit({ teamId, actor: author ?? null, action: "session.message", targetType: "session", targetId: id });
    } catch (err) {
      if (relaunch) this.launching.delete(id);
      throw err;
    }
    // Nothing runs for it (ended, or idle and reaped): start the sandbox again. A working session
    // (awaiting an approval included) takes the message at its next step.
    if (relaunch) void this.launch(id, false);
  }

  async stop(teamId: string, id: string, actor?: Actor, why?: string): Promise<void> {
    // The status says who: "stopped: stopped by Ada Lovelace".
    const reason = why ?? (actor ? `stopped by ${actor.name}` : undefined);
    const s = await getSession(teamId, id);
    if (isTerminal(s.status)) throw new AppError("conflict", `the session is already ${s.status}`);
    await recordAudit({ teamId, actor: actor ?? null, action: "session.stopped", targetType: "session", targetId: id, data: why ? { reason: why } : {} });
    // On the row first: a restart, the engine coming back or the instance that runs it finishes a stop that was asked for.
    await db().session.update({ where: { id }, data: { stopRequestedAt: new Date(), stopReason: reason ?? null } });
    // Nothing waits forever for a person once the session stops: the worker's poll answers cancelled.
    const cancelled = await cancelPendingApprovals(id, why ?? (actor ? `the session was stopped by ${actor.name}` : "the session was stopped"));
    if (!(await this.own(id))) {
      if (cancelled.length) await this.record(id, ...cancelled);
      return announce({ sessionId: id, op: "stop" });
    }
    if (cancelled.length) await this.liveFor(id).append(cancelled);
    await this.halt(id, s.engine, reason);
  }

  /** Stops the sandbox of a session this instance runs (a stop is on its row). */
  private async halt(id: string, engine: string | null, reason: string | undefined): Promise<void> {
    const live = this.liveFor(id);
    this.setEngine(id, engine);
    live.stopRequested = true;
    live.stopReason = reason;
    // Still cloning or waiting for the image: launch() sees the flag and ends as stopped.
    if (this.launching.has(id)) return;
    // Not looked after here (the engine was unreachable at start, or its container is gone): find it.
    const containerId = live.containerId ?? (await db().session.findUnique({ where: { id }, select: { containerId: true } }))?.containerId ?? null;
    try {
      const state = containerId ? await inspectSandbox(containerId, engine) : null;
      if (!containerId || !state?.running) {
        live.containerId = containerId;
        return void (await this.settleExited(live, containerId, state, "stopped"));
      }
      live.containerId = containerId;
      live.requestInterrupt();
      await Promise.race([waitSandbox(containerId, engine).catch(() => null), new Promise((r) => setTimeout(r, 5000))]);
      await stopSandbox(containerId, 3, engine);
      const after = await inspectSandbox(containerId, engine);
      if (!after?.running) await this.settleExited(live, containerId, after, "stopped");
    } catch (err) {
      if (isEngineUnreachable(err)) throw engineUnavailable(err, "stopping the sandbox (the stop is recorded and finishes as soon as the engine is back)", engine);
      throw err;
    }
  }

  /**
   * Reattaches to sandboxes still running; settles sessions whose sandbox died meanwhile; finishes
   * stops asked for before a restart; launches again what a restart interrupted. Runs at start and
   * whenever the engine answers again (idempotent: sessions looked after here are only reconciled).
   * Throws when the engine is unreachable (the engine watcher calls again when it is back).
   */
  async recover(only?: string[], engine?: string): Promise<void> {
    // `only`: several test harnesses share one database; each recovers its own sessions.
    const all = await db().session.findMany({ where: { status: { in: ACTIVE }, ...(only ? { id: { in: only } } : {}) } });
    // `engine`: that engine answers again (each engine has its watcher); its sessions only.
    const rows = engine ? all.filter((r) => runsOn(r.engine, engine)) : all;
    let unreachable: AppError | undefined;
    for (const row of rows) {
      try {
        if (!this.tracked(row.id) && !(await this.own(row.id))) continue;
        await recoverSession(this.keeper, row);
      } catch (err) {
        if (!isEngineUnreachable(err)) console.error(`[sessions] recover ${row.id}`, err);
        // One engine away does not hold back the sessions of the others (its watcher calls again).
        else if (!multiEngine() || engine) throw engineUnavailable(err, "recovering sessions", row.engine);
        else unreachable ??= engineUnavailable(err, "recovering sessions", row.engine);
      }
    }
    if (unreachable) throw unreachable;
  }

  /**
   * Whether this instance runs the session: it does, or it just took the lease (nobody live held
   * it). Several instances on one database: exactly one runs each session (lib/sessions/ownership.ts).
   */
  private async own(id: string): Promise<boolean> {
    const had = this.owner.holds(id);
    if (!(await this.owner.own(id))) return false;
    // A new lease (the session had ended here, or was never run here): its writes carry the new epoch.
    const live = this.live.get(id);
    if (live && !had) live.fence = this.owner.fence(id);
    return true;
  }

  /** A follow-up for a session another instance runs: stored here (the truth), delivered there. */
  private async messageForOwner(teamId: string, id: string, status: SessionStatus, text: string, author?: Actor): Promise<void> {
    await this.record(id, ev("user.message", { text, author: author?.name, authorId: author?.id, queued: isWorking(status) || undefined }));
    await recordAudit({ teamId, actor: author ?? null, action: "session.message", targetType: "session", targetId: id });
    announce({ sessionId: id, op: "message" });
  }

  /** Another instance stored something for a session: the one that runs it acts on it. */
  private async control(n: ControlNotice): Promise<void> {
    const { sessionId: id, op } = n;
    const live = this.live.get(id);
    if (op === "wake") return live?.wake();
    if (op === "approval") return this.approvalDecided(id, false);
    if (op === "permissions") return live?.permissionsChanged();
    // A notice never makes an instance take a session: only the one that runs it acts.
    if (this.closed || !this.owner.holds(id)) return;
    const row = await db().session.findUnique({ where: { id } });
    if (!row || isTerminal(row.status)) return;
    if (op === "stop") return this.halt(id, row.engine, row.stopReason ?? undefined);
    // op === "message": the worker's poll reads it from the log; with nothing running, start it again.
    if (live?.containerId || this.launching.has(id)) return live?.wake();
    if (isWorking(row.status) || !row.baseCommit) return;
    this.launching.add(id);
    await db().session.update({ where: { id }, data: { stopRequestedAt: null, stopReason: null } });
    void this.launch(id, false);
  }

  /** The lease was taken over (this process was paused or cut off): leave the session to its new holder. */
  private detach(id: string): void {
    const live = this.live.get(id);
    if (!live) return;
    // Its container's exit, if any, is the new holder's to settle.
    live.containerId = null;
    this.live.delete(id);
    void live.closeChannel().catch((err) => console.error(`[sessions] detach ${id}`, err));
  }

  private tracked(id: string): boolean {
    return !!this.live.get(id)?.containerId || this.launching.has(id);
  }

  /** Reconciles every container looked after here (the engine watcher, every 30 s). */
  async reconcile(engine?: string): Promise<void> {
    // A stop asked on another instance whose notice was lost (the adapter was down) is on the row:
    // reconcileSession below finishes it.
    const running = [...this.live.values()].filter((l) => l.containerId && !l.stopRequested).map((l) => l.id);
    if (running.length) {
      const asked = await db().session.findMany({ where: { id: { in: running }, stopRequestedAt: { not: null } }, select: { id: true, stopReason: true } });
      for (const r of asked) {
        const live = this.live.get(r.id);
        if (!live) continue;
        live.stopRequested = true;
        live.stopReason = r.stopReason ?? undefined;
      }
    }
    for (const live of [...this.live.values()]) {
      if (!live.containerId || this.launching.has(live.id)) continue;
      if (engine && !runsOn(this.engineOf(live.id), engine)) continue;
      await reconcileSession(this.keeper, live).catch((err) => {
        if (isEngineUnreachable(err)) throw err;
        console.error(`[sessions] reconcile ${live.id}`, err);
      });
    }
  }

  /**
   * Watches the engine: its events settle dead containers at once; whenever it answers again
   * (the first time included) sessions are recovered and the idle reaper runs. Resolves after
   * the first attempt. `only` scopes recovery (tests sharing a database).
   */
  watchEngine(opts: EngineWatchOptions & { idleMinutes?: number; only?: () => string[]; graceS?: number } = {}): Promise<void> {
    this.engineSet?.stop();
    this.engineSet = new EngineSet(
      engineList(),
      {
        resync: async (engine) => {
          this.startIdleReaper(opts.idleMinutes ?? 0);
          await this.recover(opts.only?.(), engine);
          if (engine) await removeStrays(engine, opts.only?.()).catch((err) => console.error(`[sessions] strays on ${engine}`, (err as Error).message));
        },
        reconcile: (engine) => this.reconcile(engine),
        died: (sessionId, containerId) => {
          const live = this.live.get(sessionId);
          if (live?.containerId === containerId) void reconcileSession(this.keeper, live).catch((err) => console.error(`[sessions] died ${sessionId}`, (err as Error).message));
        },
        // With somewhere else to go, an engine away past the grace period fails its live sessions (a follow-up moves them).
        gone: (engine, error) => failSessionsOn(this.keeper, engine, error, opts.only?.()),
      },
      { ...opts, graceS: opts.graceS ?? env().DOCKSIDE_ENGINE_GRACE_S },
    );
    // Sessions whose instance died are taken over by the live ones within seconds.
    this.owner.startTakeover(ACTIVE, opts.only);
    this.warmPool.start();
    return this.engineSet.start();
  }
  private engineSet: EngineSet | undefined;

  /** Whether the default engine's event stream is connected (health). */
  engineWatchState() {
    return this.engineSet?.state();
  }

  /** Every engine's watcher state, by address. */
  engineWatchStates() {
    return this.engineSet?.states() ?? [];
  }

  /**
   * Stops sandboxes that have sat idle for `minutes` (their workspace stays; a follow-up starts
   * the same container again and the agent resumes its conversation). 0 turns it off.
   */
  startIdleReaper(minutes: number): void {
    if (!minutes || this.reaper) return;
    this.reaper = setInterval(() => void this.reapIdle(minutes).catch((err) => console.error("[sessions] idle reaper", err)), 60_000);
    this.reaper.unref();
  }
  private reaper: NodeJS.Timeout | undefined;

  async reapIdle(minutes: number): Promise<string[]> {
    const rows = await db().session.findMany({ where: { status: "idle", updatedAt: { lt: new Date(Date.now() - minutes * 60_000) } }, select: { id: true, teamId: true } });
    const stopped: string[] = [];
    for (const r of rows) {
      if (!this.live.get(r.id)?.containerId) continue;
      await this.stop(r.teamId, r.id, undefined, `idle for ${minutes} min: the sandbox was stopped to free its resources; a follow-up starts it again`);
      stopped.push(r.id);
    }
    return stopped;
  }

  /** Closes channels but leaves sandboxes running: a restart loses no agent work. */
  async shutdown(): Promise<void> {
    // A sandbox that exits after this is the next orchestrator's to settle (after recovery).
    this.closed = true;
    this.engineSet?.stop();
    this.owner.stop();
    this.unhookControl();
    clearInterval(this.reaper);
    await Promise.all([...this.live.values()].map((l) => l.closeChannel()));
    this.live.clear();
    // Unclaimed pool sandboxes hold no session: removed, unlike the sessions' own.
    await this.warmPool.shutdown();
  }

  private closed = false;

  /** Sessions this orchestrator has looked after (tests: what a simulated restart should recover). */
  liveIds(): string[] {
    return [...this.seen];
  }
  private seen = new Set<string>();

  private liveFor(id: string): LiveSession {
    this.seen.add(id);
    let l = this.live.get(id);
    if (!l) {
      l = new LiveSession(id, sessionPaths(env().dataDir, id).run, () => this.configs.get(id));
      l.fence = this.owner.fence(id);
      this.live.set(id, l);
    }
    return l;
  }

  // Built from the session row at launch and recovery (the row is the truth; a miss rebuilds it).
  private configs = new WorkerConfigs();
  private readonly keeper: Keeper = {
    closed: () => this.closed,
    engineOf: (id) => this.engineOf(id),
    setEngine: (id, engine) => this.setEngine(id, engine),
    claim: (id) => (this.tracked(id) ? Promise.resolve(true) : this.own(id)),
    launching: (id) => this.launching.has(id),
    tracked: (id) => this.live.get(id),
    liveFor: (id) => this.liveFor(id),
    loadConfig: (row) => this.configs.load(row),
    watch: (live) => this.watch(live),
    launch: (id, fresh) => {
      this.launching.add(id);
      void this.launch(id, fresh);
    },
    finish: (live, status) => this.finish(live, status),
    settleExited: (live, containerId, state, cleanExit) => this.settleExited(live, containerId, state, cleanExit),
  };
  /** Each session's engine, as read from its row (launch, recovery, follow-ups and stops read it again). */
  private engines = new Map<string, string | null>();
  private engineOf(id: string): string | null {
    return this.engines.get(id) ?? null;
  }
  private setEngine(id: string, engine: string | null): void {
    this.engines.set(id, engine);
  }

  /** Sessions whose launch() runs (or is about to) in this process: nobody else starts them. */
  private launching = new Set<string>();
  /** Containers with a wait() pending on the engine. */
  private waiting = new Set<string>();

  /** Appends host events decided on the locked session row (approvals) and publishes them. */
  async recordPlanned(id: string, plan: (row: LockedSession) => AppendPlan): Promise<AppendResult> {
    const result = await this.liveFor(id).appendPlanned(plan);
    this.releaseIfDormant(id);
    return result;
  }

  /** A decision landed: the worker's waiting approval poll re-reads its row, and its permissions are read again. */
  approvalDecided(id: string, tellOthers = true): void {
    this.live.get(id)?.approvalDecided();
    wakeApprovalPolls(id);
    if (tellOthers) announce({ sessionId: id, op: "approval" });
  }

  /** A person changed the session's mode or its rules: the worker's next tool call sees it. */
  permissionsChanged(id: string): void {
    this.live.get(id)?.permissionsChanged();
    announce({ sessionId: id, op: "permissions" });
  }

  private async cancelApprovals(live: LiveSession, reason: string): Promise<void> {
    const events = await cancelPendingApprovals(live.id, reason);
    if (events.length) await live.append(events);
  }

  /** Wakes the worker's command poll (a workspace op was queued), on whichever instance runs it. */
  wake(id: string): void {
    this.live.get(id)?.wake();
    announce({ sessionId: id, op: "wake" });
  }

  /** Appends events from outside the sandbox (review actions) and publishes them. */
  async record(id: string, ...events: NewEvent[]): Promise<void> {
    await this.liveFor(id).append(events);
    this.releaseIfDormant(id);
  }

  /** Re-publishes a session's row to list watchers (after review actions change it). */
  async refresh(id: string): Promise<void> {
    await this.liveFor(id).publishRow();
    this.releaseIfDormant(id);
  }

  // Review actions touch sessions without a sandbox: don't keep a live record for them.
  private releaseIfDormant(id: string): void {
    if (!this.live.get(id)?.containerId) this.live.delete(id);
  }

  private launch(id: string, fresh: boolean): Promise<void> {
    this.launching.add(id);
    return launchSandbox(this.launcher, id, fresh).finally(() => this.launching.delete(id));
  }

  /** What createSession started for the launch that follows (taken by it). */
  private readonly early = new Map<string, { fs: Promise<void>; mirror?: Promise<string>; asked?: number }>();
  private readonly launcher: Launcher = {
    workerDir: () => this.workerDir,
    takeEarly: (id) => {
      const started = this.early.get(id) ?? {};
      this.early.delete(id);
      return started;
    },
    configs: this.configs,
    liveFor: (id) => this.liveFor(id),
    engineOf: (id) => this.engineOf(id),
    setEngine: (id, engine) => this.setEngine(id, engine),
    watch: (live) => this.watch(live),
    finish: (live, status) => this.finish(live, status),
  };

  /** Waits for the container's exit and settles the session; a lost connection leaves it to the engine watcher. */
  private watch(live: LiveSession): void {
    const containerId = live.containerId!;
    if (this.waiting.has(containerId)) return;
    this.waiting.add(containerId);
    void waitSandbox(containerId, this.engineOf(live.id))
      .then(async (state) => {
        this.waiting.delete(containerId);
        if (this.closed) return;
        // A wait cut short can come back with a running container: never take that for an exit.
        if (state?.running) return this.watch(live);
        await this.settleExited(live, containerId, state, "the worker exited");
      })
      .catch((err) => {
        this.waiting.delete(containerId);
        // The engine's connection dropped: the container may run on. The engine watcher (or the
        // next follow-up or stop) looks at it once the engine answers.
        if (!isEngineUnreachable(err)) console.error(`[sessions] watch ${live.id}`, err);
      });
  }

  /** Settles the session of a container that exited, once (whichever of wait, events, reconcile or stop sees it first). */
  private async settleExited(live: LiveSession, containerId: string | null, state: SandboxState | null, cleanExit: string): Promise<void> {
    if (live.containerId !== containerId) return;
    live.containerId = null;
    await this.settle(live, state, cleanExit).catch((err) => console.error(`[sessions] settle ${live.id}`, err));
  }

  /** Records how a sandbox ended: stopped on request or after a clean exit, failed otherwise. */
  private async settle(live: LiveSession, state: SandboxState | null, cleanExit: string): Promise<void> {
    const row = await db().session.findUnique({ where: { id: live.id } });
    if (!row) return;
    // A stop asked for before a restart is on the row.
    if (row.stopRequestedAt && !live.stopRequested) {
      live.stopRequested = true;
      live.stopReason = row.stopReason ?? undefined;
    }
    const status = await endStatus(row, { requested: live.stopRequested, reason: live.stopReason }, state, cleanExit);
    if (isTerminal(row.status) && row.status === (status.data as { status: string }).status) {
      await live.closeChannel();
      await this.owner.release(live.id);
      await releaseSessionFs(sessionPaths(env().dataDir, live.id)).catch(() => {});
      return;
    }
    await this.finish(live, status);
  }

  private async finish(live: LiveSession, status: ReturnType<typeof ev>): Promise<void> {
    // The sandbox is gone: what it waited on is moot (a restart of the server alone never gets here).
    await this.cancelApprovals(live, "the session ended").catch((err) => console.error(`[sessions] cancel approvals ${live.id}`, err));
    try {
      await live.append([status]);
    } finally {
      // Even when the status could not be stored (the database away): the channel and the egress
      // proxy (made early, while the workspace was) must not outlive the sandbox.
      await live.closeChannel();
    }
    this.live.delete(live.id);
    // Ended: whichever instance gets its next follow-up runs it.
    await this.owner.release(live.id);
    // The sandbox is gone: its filesystem is unmounted until the next start (the image stays).
    await releaseSessionFs(sessionPaths(env().dataDir, live.id)).catch((err) => console.error(`[sessions] release ${live.id}`, err));
  }
}

/** A promise started ahead and awaited later: a rejection meanwhile is not "unhandled". */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}
