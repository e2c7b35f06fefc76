// Owns session lifecycles: clone, sandbox start, worker channel, stop, restart for follow-ups,
// and reattaching to sandboxes that kept running while the server was down.
import fs from "node:fs";
import path from "node:path";
import { env } from "../config/env";
import { db } from "../db/client";
import { AppError, isAppError } from "../errors";
import { ev, type NewEvent, type SessionStatus } from "../events/schema";
import { isTerminal, isWorking, LIVE_STATUSES } from "../events/status";
import type { AppendPlan, AppendResult, LockedSession } from "../events/store";
import { cancelPendingApprovals, type ApprovalRecorder } from "../approvals/decide";
import { wakeApprovalPolls } from "../approvals/waiters";
import { parseRepoSource } from "../git/repo-source";
import { importCheckpoint, initHostRepo } from "../git/host-repo";
import { cloneWorkspace, sessionPaths } from "../git/workspace";
import { borrowedMirrorObjects, ensureMirror } from "../git/mirror";
import { credentialEnv } from "../review/credentials";
import type { CreateSessionInput, SessionDto } from "../protocol/api";
import { createSandbox, findSandbox, inspectSandbox, sandboxLogs, startSandbox, stopSandbox, waitSandbox, type SandboxState } from "../sandbox/container";
import { modelInfo } from "../models/table";
import { ensureImage } from "../sandbox/image";
import { assertDiskFloor } from "../sandbox/disk-guard";
import { mountSessionFs, prepareSessionFs, releaseSessionFs } from "../sandbox/session-fs";
import { insertSession } from "./create-session";
import { sessionSecrets } from "../environments/secrets";
import { environmentNote } from "../environments/environment-note";
import { memoryNoteFor } from "../memory/agent";
import { recordAudit } from "../audit/record";
import { getSession, toDto } from "./dto";
import { LiveSession } from "./live-session";

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
/** The orchestrator is still preparing the sandbox (launch() runs). */
const LAUNCHING: readonly SessionStatus[] = ["queued", "starting"];

export class Orchestrator implements ApprovalRecorder {
  private live = new Map<string, LiveSession>();

  constructor(private readonly workerDir = path.resolve("sandbox/dist")) {}

  /** `routineId`: the session is a run of that routine (lib/routines/start-run.ts). */
  async createSession(teamId: string, input: CreateSessionInput, author?: Actor, fork?: ForkPoint, routineId?: string): Promise<SessionDto> {
    await assertDiskFloor();
    const { id } = await insertSession(teamId, input, author?.id, routineId);
    if (fork) this.forks.set(id, fork);
    const live = this.liveFor(id);
    await live.append([ev("user.message", { text: input.prompt, author: author?.name, authorId: author?.id }), ev("status", { status: "queued" })]);
    void this.launch(id, true);
    await recordAudit({ teamId, actor: author ?? null, action: "session.started", targetType: "session", targetId: id, data: { repo: input.repo } });
    return toDto(await getSession(teamId, id));
  }

  async sendMessage(teamId: string, id: string, text: string, author?: Actor): Promise<void> {
    const s = await getSession(teamId, id);
    const live = this.live.get(id);
    const working = isWorking(s.status);
    // A session still being launched gets its workspace soon; any other needs one already.
    if (!live?.containerId && !LAUNCHING.includes(s.status as SessionStatus) && !s.baseCommit) {
      throw new AppError("conflict", `this session ${s.status === "failed" ? `failed (${s.failureReason})` : "has no workspace"}; start a new session`);
    }
    await this.liveFor(id).append([ev("user.message", { text, author: author?.name, authorId: author?.id, queued: working || undefined })]);
    await recordAudit({ teamId, actor: author ?? null, action: "session.message", targetType: "session", targetId: id });
    // Nothing runs for it (ended, or idle and reaped): start the sandbox again. A working session
    // (awaiting an approval included) takes the message at its next step.
    if (!this.live.get(id)?.containerId && !working && !LAUNCHING.includes(s.status as SessionStatus)) void this.launch(id, false);
  }

  async stop(teamId: string, id: string, actor?: Actor, reason?: string): Promise<void> {
    const s = await getSession(teamId, id);
    if (isTerminal(s.status)) throw new AppError("conflict", `the session is already ${s.status}`);
    await recordAudit({ teamId, actor: actor ?? null, action: "session.stopped", targetType: "session", targetId: id, data: reason ? { reason } : {} });
    const live = this.liveFor(id);
    live.stopRequested = true;
    live.stopReason = reason;
    // Nothing waits forever for a person once the session stops: the worker's poll answers cancelled.
    await this.cancelApprovals(live, reason ?? (actor ? `the session was stopped by ${actor.name}` : "the session was stopped"));
    if (!live.containerId) {
      // Still cloning or waiting for the image: launch() sees the flag and ends as stopped.
      if (s.status === "idle") await this.finish(live, ev("status", { status: "stopped", reason }));
      return;
    }
    live.requestInterrupt();
    const exited = Promise.race([waitSandbox(live.containerId), new Promise((r) => setTimeout(r, 5000))]);
    await exited;
    await stopSandbox(live.containerId, 3);
  }

  /** Reattaches to sandboxes still running; settles sessions whose sandbox died meanwhile. */
  async recover(only?: string[]): Promise<void> {
    // `only`: several test harnesses share one database; each recovers its own sessions.
    const rows = await db().session.findMany({ where: { status: { in: ACTIVE }, ...(only ? { id: { in: only } } : {}) } });
    for (const row of rows) {
      await this.remember(row);
      const live = this.liveFor(row.id);
      const containerId = row.containerId ?? (await findSandbox(row.id).catch(() => null));
      const state = containerId ? await inspectSandbox(containerId) : null;
      if (containerId && state?.running) {
        live.containerId = containerId;
        await mountSessionFs(sessionPaths(env().dataDir, row.id));
        await live.openChannel();
        this.watch(live);
        console.log(`[sessions] reattached ${row.id}`);
      } else if (!row.baseCommit && LAUNCHING.includes(row.status as SessionStatus)) {
        void this.launch(row.id, true);
      } else {
        await this.settle(live, state, "the sandbox stopped while Dockside was not running");
      }
    }
  }

  /**
   * Stops sandboxes that have sat idle for `minutes` (their workspace stays; a follow-up starts
   * the same container again and the agent resumes its conversation). 0 turns it off.
   */
  startIdleReaper(minutes: number): void {
    if (!minutes) return;
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
    clearInterval(this.reaper);
    await Promise.all([...this.live.values()].map((l) => l.closeChannel()));
    this.live.clear();
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
      l = new LiveSession(id, sessionPaths(env().dataDir, id).run, () => this.workerConfig(id));
      this.live.set(id, l);
    }
    return l;
  }

  private workerConfig(id: string) {
    const e = env();
    const row = this.configCache.get(id);
    if (!row) throw new AppError("unavailable", "this session's configuration is not loaded yet; retry");
    return {
      sessionId: id,
      model: row.model,
      branch: row.branch,
      baseCommit: row.baseCommit,
      agentUid: row.sandboxUid,
      agentGid: row.sandboxUid,
      maxTurns: e.DOCKSIDE_MAX_TURNS,
      shellTimeoutS: e.DOCKSIDE_SHELL_TIMEOUT_S,
      toolOutputCap: 30_000,
      maxTokens: 16_384,
      contextTokens: e.DOCKSIDE_CONTEXT_TOKENS ?? modelInfo(row.model).contextWindow,
      maxOutputTokens: modelInfo(row.model).maxOutput,
      thinkingBudget: row.thinkingBudget ?? null,
      teamInstructions: row.teamInstructions ?? "",
      agentEnv: row.agentEnv,
      environmentNote: row.environmentNote,
      memoryNote: row.memoryNote,
      routineKind: row.routineKind,
    };
  }
  // Built from the session row at launch and recovery (the row is the truth; this saves a query per poll).
  private configCache = new Map<string, { model: string; branch: string; baseCommit: string; sandboxUid: number; thinkingBudget?: number | null; teamInstructions?: string; agentEnv: Record<string, string>; environmentNote: string; memoryNote: string; routineKind: "task" | "check" | null }>();
  private async remember(row: { id: string; teamId: string; repositoryId: string | null; model: string; branch: string; baseCommit: string | null; sandboxUid: number; thinkingBudget: number | null; prompt: string; routineId: string | null }): Promise<void> {
    // The team's instructions as they are when the sandbox starts: they stay put for its whole run (the cached prefix).
    const team = await db().team.findUnique({ where: { id: row.teamId }, select: { instructions: true } });
    // Secrets marked for the agent, as they are when the sandbox starts (the rest reach setup only).
    const agentEnv = Object.fromEntries((await sessionSecrets(row.teamId, row.repositoryId)).filter((s) => s.agent).map((s) => [s.name, s.value]));
    const note = await environmentNote(row.teamId, row.repositoryId);
    // The team's accepted memory, as it is when the sandbox starts (the worker fixes its system
    // prompt once, so a later change reaches the next session, never this one's cached prefix).
    const memoryNote = await memoryNoteFor(row.teamId, row.repositoryId, row.prompt).catch((err) => {
      console.error("[memory] note", row.id, err);
      return "";
    });
    const routine = row.routineId ? await db().routine.findUnique({ where: { id: row.routineId }, select: { kind: true } }) : null;
    const routineKind = routine?.kind === "check" ? "check" : routine ? "task" : null;
    this.configCache.set(row.id, { model: row.model, branch: row.branch, baseCommit: row.baseCommit ?? "", sandboxUid: row.sandboxUid, thinkingBudget: row.thinkingBudget, teamInstructions: team?.instructions ?? "", agentEnv, environmentNote: note, memoryNote, routineKind });
  }

  /** Appends host events decided on the locked session row (approvals) and publishes them. */
  async recordPlanned(id: string, plan: (row: LockedSession) => AppendPlan): Promise<AppendResult> {
    const result = await this.liveFor(id).appendPlanned(plan);
    this.releaseIfDormant(id);
    return result;
  }

  /** A decision landed: the worker's waiting approval poll re-reads its row, and its permissions are read again. */
  approvalDecided(id: string): void {
    this.live.get(id)?.approvalDecided();
    wakeApprovalPolls(id);
  }

  /** A person changed the session's mode or its rules: the worker's next tool call sees it. */
  permissionsChanged(id: string): void {
    this.live.get(id)?.permissionsChanged();
  }

  private async cancelApprovals(live: LiveSession, reason: string): Promise<void> {
    const events = await cancelPendingApprovals(live.id, reason);
    if (events.length) await live.append(events);
  }

  /** Wakes the worker's command poll (a workspace op was queued). */
  wake(id: string): void {
    this.live.get(id)?.wake();
  }
  private forks = new Map<string, ForkPoint>();

  /** Appends an event from outside the sandbox (review actions) and publishes it. */
  async record(id: string, event: NewEvent): Promise<void> {
    await this.liveFor(id).append([event]);
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

  private async launch(id: string, fresh: boolean): Promise<void> {
    const live = this.liveFor(id);
    live.stopRequested = false;
    live.stopReason = undefined;
    live.resetInterrupt();
    try {
      let row = await db().session.findUniqueOrThrow({ where: { id } });
      await live.append([ev("status", { status: "starting" })]);
      if (!fs.existsSync(path.join(this.workerDir, "worker.mjs"))) throw new AppError("internal", `the worker bundle is missing (${this.workerDir}/worker.mjs): run npm run build`);
      const image = await ensureImage((l) => console.log(l)).catch((err) => {
        throw new AppError("unavailable", `the sandbox image is missing and could not be built: ${(err as Error).message}`);
      });
      const paths = sessionPaths(env().dataDir, id);
      const uid = row.sandboxUid;
      const fs_ = prepareSessionFs(paths, { uid, gid: uid, quotaBytes: env().DOCKSIDE_SESSION_DISK_GB * 1024 ** 3 });
      if (fresh) {
        // host.git gets the origin's base (and a fork's checkpoint); the workspace is cloned from
        // it. Both happen before the container exists: nothing here is the agent's yet. The
        // session's filesystem is made meanwhile (they touch different directories).
        // host.git and the workspace borrow the repository's mirror (refreshed here from the
        // origin): a session costs its own objects, not the repository's history.
        const source = parseRepoSource(row.repo, env().repoRoots);
        const mirror = row.repositoryId ? await ensureMirror(row.repositoryId, source.location, await credentialEnv(row.teamId, row.repo)) : undefined;
        const [baseCommit] = await Promise.all([initHostRepo(paths.hostRepo, source.location, row.baseBranch, row.branch, {}, { mirror }), fs_]);
        const fork = this.forks.get(id);
        if (fork) await importCheckpoint(paths.hostRepo, sessionPaths(env().dataDir, fork.sessionId).hostRepo, fork.sha, row.branch);
        this.forks.delete(id);
        await cloneWorkspace(paths, row.branch, uid, uid, { mirror });
        row = await db().session.update({ where: { id }, data: { baseCommit, headCommit: fork?.sha ?? baseCommit } });
      } else await fs_;
      await this.remember(row);
      if (live.stopRequested) return void (await this.finish(live, ev("status", { status: "stopped" })));
      await live.openChannel();
      const existing = row.containerId && (await inspectSandbox(row.containerId)) ? row.containerId : null;
      // prepareSessionFs above mounted the session's filesystem and refreshed the worker copy.
      if (existing) await startSandbox(existing);
      // From host.git's alternates, not the registration: a removed registration leaves its sessions borrowing.
      const mirrorObjects = await borrowedMirrorObjects(paths.hostRepo);
      live.containerId = existing ?? (await createSandbox({ sessionId: id, teamId: row.teamId, image, paths, uid, gid: uid, mirrorObjects }));
      await db().session.update({ where: { id }, data: { containerId: live.containerId } });
      this.watch(live);
    } catch (err) {
      const reason = isAppError(err) ? err.message : `could not start the sandbox: ${(err as Error).message}`;
      if (!isAppError(err)) console.error(`[sessions] launch ${id}`, err);
      await this.finish(live, ev("status", { status: "failed", reason }));
    }
  }

  private watch(live: LiveSession): void {
    const containerId = live.containerId!;
    void waitSandbox(containerId).then(async (state) => {
      if (this.closed || live.containerId !== containerId) return;
      live.containerId = null;
      await this.settle(live, state, "the worker exited").catch((err) => console.error(`[sessions] settle ${live.id}`, err));
    });
  }

  /** Records how a sandbox ended: stopped on request or after a clean exit, failed otherwise. */
  private async settle(live: LiveSession, state: SandboxState | null, cleanExit: string): Promise<void> {
    const row = await db().session.findUnique({ where: { id: live.id } });
    if (!row) return;
    const limit = env().DOCKSIDE_SANDBOX_MEMORY_MB;
    let status = ev("status", { status: "stopped", reason: live.stopRequested ? live.stopReason : cleanExit });
    if (state?.oomKilled) status = ev("status", { status: "failed", reason: `the sandbox was killed for exceeding its memory limit (${limit} MB); raise DOCKSIDE_SANDBOX_MEMORY_MB or make the task use less memory` });
    else if (!live.stopRequested && state && state.exitCode !== 0 && state.exitCode !== 143) {
      const logs = row.containerId ? (await sandboxLogs(row.containerId, 8)).slice(-600) : "";
      status = ev("status", { status: "failed", reason: `the worker exited with code ${state.exitCode}${logs ? `: ${logs}` : ""}` });
    }
    if (isTerminal(row.status) && row.status === (status.data as { status: string }).status) {
      await live.closeChannel();
      await releaseSessionFs(sessionPaths(env().dataDir, live.id)).catch(() => {});
      return;
    }
    await this.finish(live, status);
  }

  private async finish(live: LiveSession, status: ReturnType<typeof ev>): Promise<void> {
    // The sandbox is gone: what it waited on is moot (a restart of the server alone never gets here).
    await this.cancelApprovals(live, "the session ended").catch((err) => console.error(`[sessions] cancel approvals ${live.id}`, err));
    await live.append([status]);
    await live.closeChannel();
    this.live.delete(live.id);
    // The sandbox is gone: its filesystem is unmounted until the next start (the image stays).
    await releaseSessionFs(sessionPaths(env().dataDir, live.id)).catch((err) => console.error(`[sessions] release ${live.id}`, err));
  }
}
