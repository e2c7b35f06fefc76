// The host-side state of a session whose container may be running: its channel and gateway,
// the worker's pending command long-polls, its rate limits, and whether a stop was asked for.
import { env } from "../config/env";
import { db } from "../db/client";
import { AppError, isAppError } from "../errors";
import { ev, type NewEvent } from "../events/schema";
import { appendEvents, appendPlanned, type AppendPlan, type AppendResult, type Fence, type LockedSession } from "../events/store";
import { WidOrder } from "../events/wid-order";
import { receiveCheckpoint } from "../git/host-repo";
import { warmReviewSoon } from "../review/diff-warm";
import { sessionPaths } from "../git/workspace";
import { publisher } from "../realtime/bus";
import type { WorkerCommand, WorkerConfig, WorkerEventBatch } from "../protocol/worker";
import type { ApprovalRequest, WorkerApprovalState, WorkerPermissions } from "../protocol/permissions";
import { workerPermissions } from "../approvals/permissions";
import { approvalOfSession, requestApproval } from "../approvals/requests";
import { toWorkerState } from "../approvals/dto";
import { waitForDecision, wakeApprovalPolls } from "../approvals/waiters";
import { assertPrivateDir, openChannel, type Channel } from "./channel";
import { StartSteps } from "../sandbox/start-steps";
import { SESSION_INCLUDE, toDto } from "./dto";
import { Gateway } from "./gateway";
import { TokenBucket } from "./token-bucket";
import { planWorkerBatch } from "./worker-events";
import { completeOp, pendingOps } from "./workspace-ops";
import { SessionEgress } from "./session-egress";
import { SessionSetup } from "./session-setup";
import { maskDeep } from "../environments/secrets";
import { alertOnSessionEvents } from "../alerts/on-events";
import { notifySessionEvents } from "../notifications/notify";
import { recallForAgent, rememberFromAgent } from "../memory/agent";
import { reportFromAgent } from "../routines/report";
import type { RecallRequest, RecallResult, RememberRequest, RememberResult } from "../protocol/memory";
import type { ReportRequest } from "../protocol/routines";
import type { AgentCallContext } from "./agent-context";
import { remoteMcpHub } from "../mcp/remote-hub";

const MB = 1024 * 1024;
// Generous next to what a real worker sends (the stream benchmark pushes ~25 MB/s of output in
// a few hundred events): the limit is there for a worker that floods the log.
const EVENTS_BURST = 5000;
const EVENTS_PER_S = 2000;
const BYTES_BURST = 64 * MB;
const BYTES_PER_S = 48 * MB;
const MAX_POLLS = 8;
/** A worker waits on one approval at a time (a retry may overlap the old poll). */
const MAX_APPROVAL_POLLS = 4;
/** GET /worker/permissions comes before every tool call: one read of the rows a second is plenty. */
const PERMISSIONS_TTL_MS = 1000;

/** Events that change what the session's row (its DTO) shows: watchers of lists get the row again. */
const ROW_EVENTS = new Set<string>(["status", "usage", "commit", "mode", "approval.requested", "approval.decided"]);

export class LiveSession {
  containerId: string | null = null;
  /**
   * Set once this instance runs the session (its lease, lib/sessions/ownership.ts): every append
   * from here checks it in its transaction, so a holder that lost the lease writes nothing more.
   * Never unset on this object: a detached LiveSession stays fenced with its old epoch.
   */
  fence: Fence | undefined;
  stopRequested = false;
  /** Why the stop was asked for, when it was not a person's click (shown with the status). */
  stopReason: string | undefined;
  private channel: Channel | null = null;
  private waiters = new Set<() => void>();
  private interrupt = false;
  private readonly eventRate = new TokenBucket(EVENTS_BURST, EVENTS_PER_S);
  private readonly byteRate = new TokenBucket(BYTES_BURST, BYTES_PER_S);
  private readonly gateway: Gateway;
  /** Tool output bytes dropped past the output cap, per command still running. */
  private dropped = new Map<string, number>();
  private polls = 0;
  private approvalPolls = 0;
  /** Worker batches enter the append chain in wid order (two may be in flight at once). */
  private readonly widOrder = new WidOrder(async () => (await db().session.findUnique({ where: { id: this.id }, select: { workerAck: true } }))?.workerAck ?? 0);
  private permissionsCache: { at: number; value: Promise<WorkerPermissions> } | null = null;
  /** The egress proxy on <run>/egress.sock and the phase whose policy it applies. */
  readonly egress: SessionEgress;
  /** The setup phase as the host sees it: the plan it gave, the secret values to mask. */
  readonly setup: SessionSetup;

  constructor(
    readonly id: string,
    readonly runDir: string,
    private readonly workerConfig: () => WorkerConfig,
  ) {
    this.gateway = new Gateway({
      id,
      model: () => this.workerConfig().model,
      usage: async (event) => void (await this.append([event])),
      note: async (message) => void (await this.append([ev("error", { message, source: "host" })])),
      // The agent acts only through model calls: whatever the worker said, setup is over by the first one.
      onRequest: () => {
        this.egress.enterAgentPhase();
        this.setup.agentStarted();
      },
    });
    this.egress = new SessionEgress(id, runDir, (event) => void this.append([event]).catch((err) => console.error(`[egress] ${id}`, err)));
    this.setup = new SessionSetup(id, this.egress);
  }

  /** Appends events to the log and publishes them (and the updated row) to watchers. */
  async append(events: NewEvent[], wids?: number[]): Promise<AppendResult> {
    // The host's own events carry what the agent chose too (a refused host name, a commit
    // message): secret values are masked in those as in the worker's.
    const masks = this.setup.masks;
    const masked = masks.length ? events.map((e) => maskDeep(e, masks)) : events;
    return this.published(await appendEvents(this.id, masked, { wids, fence: this.fence }));
  }

  /** Appends host events decided on the locked session row (approvals), masked and published like append(). */
  async appendPlanned(plan: (row: LockedSession) => AppendPlan): Promise<AppendResult> {
    const masks = this.setup.masks;
    return this.published(
      await appendPlanned(this.id, (row) => {
        const p = plan(row);
        return masks.length ? { ...p, events: p.events.map((e) => maskDeep(e, masks)) } : p;
      }, this.fence),
    );
  }

  /** GET /worker/permissions: the session's mode, rules and hooks, read at most once a second. */
  permissions(): Promise<WorkerPermissions> {
    const c = this.permissionsCache;
    if (c && Date.now() - c.at < PERMISSIONS_TTL_MS) return c.value;
    const value = workerPermissions(this.id);
    const entry = { at: Date.now(), value };
    this.permissionsCache = entry;
    value.catch(() => this.permissionsCache === entry && (this.permissionsCache = null));
    return value;
  }

  /** A person changed the mode or the rules: the next ask reads them again. */
  permissionsChanged(): void {
    this.permissionsCache = null;
  }

  /** POST /worker/approvals. */
  requestApproval(req: ApprovalRequest): Promise<WorkerApprovalState> {
    return requestApproval({ sessionId: this.id, append: (plan) => this.appendPlanned(plan), masks: this.setup.masks, stopping: this.stopRequested || this.interrupt }, req);
  }

  /** POST /worker/memory: the agent's `remember`. */
  remember(req: RememberRequest): Promise<RememberResult> {
    return rememberFromAgent(this.agentContext(), req);
  }

  /** POST /worker/recall: the agent's `recall`. */
  recall(req: RecallRequest): Promise<RecallResult> {
    return recallForAgent(this.agentContext(), req);
  }

  /** POST /worker/report: a check routine's verdict. */
  report(req: ReportRequest): Promise<void> {
    return reportFromAgent(this.agentContext(), req);
  }

  private agentContext(): AgentCallContext {
    return { sessionId: this.id, masks: this.setup.masks, record: async (events) => void (await this.appendPlanned(() => ({ events }))) };
  }

  /** GET /worker/approvals/:id?wait=S: the approval's state, once decided or after `waitS` seconds. */
  async approval(id: string, waitS: number, signal: AbortSignal): Promise<WorkerApprovalState> {
    if (this.approvalPolls >= MAX_APPROVAL_POLLS) throw new AppError("rate_limited", `at most ${MAX_APPROVAL_POLLS} approval polls at once`);
    this.approvalPolls++;
    try {
      const deadline = Date.now() + waitS * 1000;
      for (;;) {
        // Re-read at every wake: the row is the truth (a decision in another process, a restart).
        const row = await approvalOfSession(this.id, id);
        if (row.status !== "pending" || Date.now() >= deadline || signal.aborted || !this.channel) return toWorkerState(row);
        await waitForDecision(this.id, deadline - Date.now(), signal);
      }
    } finally {
      this.approvalPolls--;
    }
  }

  /** A decision landed: wake the worker's approval poll and drop cached permissions. */
  approvalDecided(): void {
    this.permissionsCache = null;
    wakeApprovalPolls(this.id);
  }

  async publishRow(): Promise<void> {
    const row = await db().session.findUnique({ where: { id: this.id }, include: SESSION_INCLUDE });
    if (row) publisher().session(toDto(row));
  }

  /**
   * What the channel needs before its socket appears (the secrets to mask, the egress proxy the
   * worker's first request may use), started by a launch while its workspace is made; `ready`:
   * the session's filesystem, where the proxy's socket goes. A pooled worker starts the moment the
   * channel's socket appears, so none of this may be left for after it.
   */
  prepareChannel(ready: Promise<unknown> = Promise.resolve()): Promise<void> {
    this.preparing ??= (async () => {
      await ready;
      // Before any socket is made in it, and before the rows: a run directory that is a symlink or
      // open to others is refused first (openChannel checks it again for the channel's socket).
      assertPrivateDir(this.runDir);
      await this.setup.load();
      await this.egress.open(this.setup.finished);
    })();
    return this.preparing;
  }
  private preparing: Promise<void> | null = null;

  async openChannel(): Promise<void> {
    if (this.channel) return;
    try {
      await this.prepareChannel();
    } catch (err) {
      await this.closeChannel();
      throw err;
    }
    // Worked out now that host.git is there, before the worker can ask (session-setup.ts).
    this.setup.prepare();
    this.channel = await openChannel(this.runDir, {
      config: this.workerConfig,
      rate: (events, bytes) => this.rate(events, bytes),
      events: (batch) => this.workerEvents(batch),
      commands: (after, waitS, signal) => this.commands(after, waitS, signal),
      tmpDir: sessionPaths(env().dataDir, this.id).tmp,
      checkpoint: async (sha, file) => {
        const event = await receiveCheckpoint(this.id, sha, file);
        if (event) await this.append([event]);
        // The review is what a person opens next: its first answer is made now, not as the page loads.
        if (event) warmReviewSoon(this.id);
      },
      opDone: async (opId, result) => {
        const event = await completeOp(this.id, opId, result);
        if (event) await this.append([event]);
      },
      model: (req, res) => this.gateway.handle(req, res),
      seen: (request) => StartSteps.seen(this.id, request),
      setupPlan: () => this.setup.plan(),
      environmentFile: () => this.setup.environmentFile(),
      environmentUploaded: (key, ms, file) => this.setup.uploaded(key, ms, file),
      setupDone: (done) => this.setup.done(done),
      permissions: () => this.permissions(),
      requestApproval: (req) => this.requestApproval(req),
      approval: (approvalId, waitS, signal) => this.approval(approvalId, waitS, signal),
      remember: (req) => this.remember(req),
      recall: (req) => this.recall(req),
      report: (req) => this.report(req),
    });
  }

  async closeChannel(): Promise<void> {
    const c = this.channel;
    this.channel = null;
    // A preparation still under way ends first, so the proxy it opens is closed below; the next launch prepares again.
    await this.preparing?.catch(() => {});
    this.preparing = null;
    this.wake();
    wakeApprovalPolls(this.id);
    // The host's connections to the session's remote MCP servers end with its channel.
    await Promise.all([c?.close(), this.egress.close(), remoteMcpHub().close(this.id)]);
  }

  requestInterrupt(): void {
    this.interrupt = true;
    this.wake();
  }

  resetInterrupt(): void {
    this.interrupt = false;
  }

  /** Wakes the worker's waiting command poll (a message or a workspace op is there for it). */
  wake(): void {
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  private async published(result: AppendResult): Promise<AppendResult> {
    if (result.stored.length) {
      publisher().events(this.id, result.stored);
      if (result.stored.some((e) => ROW_EVENTS.has(e.type))) await this.publishRow();
      // Needs approval, idle after a turn, failed, budget: to the people who asked to hear (never throws).
      void notifySessionEvents(this.id, result.stored);
      // Looping commands, 80 % of the budget, stalls and endings: proactive alerts (never throws).
      void alertOnSessionEvents(this.id, result.stored);
    }
    if (result.stored.some((e) => e.type === "user.message")) this.wake();
    return result;
  }

  private rate(events: number, bytes: number): number {
    const wait = Math.max(this.eventRate.wait(events), this.byteRate.wait(bytes));
    if (wait) return wait;
    this.eventRate.take(events);
    this.byteRate.take(bytes);
    return 0;
  }

  /** A worker batch, through the policy in worker-events.ts, decided on the locked session row. */
  private async workerEvents(batch: WorkerEventBatch["events"]): Promise<number> {
    try {
      return await this.storeWorkerEvents(batch);
    } catch (err) {
      // A wid gap (409) is the worker's to fix; anything else is a batch the database refused:
      // never let it be resent forever. Store what can be stored one event at a time, and put a
      // note in place of each event that cannot be.
      if (isAppError(err) || batch.length === 0) throw err;
      let ack = 0;
      for (const e of batch) {
        try {
          ack = await this.storeWorkerEvents([e]);
        } catch (one) {
          if (isAppError(one)) throw one;
          const note = ev("error", { source: "host", message: `An event the host could not store was dropped (wid ${e.wid}, ${e.type}): ${String((one as Error).message).slice(0, 300)}` });
          ack = (await this.published(await appendPlanned(this.id, (row) => ({ events: e.wid > row.workerAck ? [note] : [], workerAck: Math.max(row.workerAck, e.wid) }), this.fence))).workerAck;
        }
      }
      return ack;
    }
  }

  private async storeWorkerEvents(batch: WorkerEventBatch["events"]): Promise<number> {
    let dropped: Map<string, number> | undefined;
    const append = () =>
      appendPlanned(this.id, (row) => {
        // Read when the batch's turn comes: the batch before it (in flight beside it) has committed by then.
        const policy = { stopAsked: this.stopRequested || this.interrupt, outputCapBytes: BigInt(env().DOCKSIDE_SESSION_OUTPUT_MB) * BigInt(MB), dropped: this.dropped, masks: this.setup.masks };
        const plan = planWorkerBatch(batch, row, policy);
        dropped = plan.dropped;
        return plan;
      }, this.fence);
    const result = batch.length ? await this.widOrder.run(batch[0].wid, batch[batch.length - 1].wid, append) : await append();
    if (dropped) this.dropped = dropped;
    return (await this.published(result)).workerAck;
  }

  private async commands(after: number, waitS: number, signal: AbortSignal): Promise<WorkerCommand[]> {
    // A worker polls once or twice at a time; a flood of held polls would each query on every wake.
    if (this.polls >= MAX_POLLS) throw new AppError("rate_limited", `at most ${MAX_POLLS} command polls at once`);
    this.polls++;
    try {
      return await this.pollCommands(after, waitS, signal);
    } finally {
      this.polls--;
    }
  }

  private async pollCommands(after: number, waitS: number, signal: AbortSignal): Promise<WorkerCommand[]> {
    const deadline = Date.now() + waitS * 1000;
    for (;;) {
      if (this.interrupt) return [{ kind: "interrupt", reason: this.stopReason }];
      const ops = await pendingOps(this.id);
      const rows = await db().event.findMany({
        where: { sessionId: this.id, type: "user.message", seq: { gt: after } },
        orderBy: { seq: "asc" },
        take: 50,
      });
      if (ops.length || rows.length || Date.now() >= deadline || signal.aborted) {
        const messages = rows.map((r): WorkerCommand => {
          const d = r.data as { text: string; author?: string };
          return { kind: "message", seq: r.seq, text: d.text, author: d.author };
        });
        return [...ops, ...messages];
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.waiters.delete(done);
          signal.removeEventListener("abort", done);
          resolve();
        };
        const t = setTimeout(done, Math.max(0, deadline - Date.now()));
        this.waiters.add(done);
        signal.addEventListener("abort", done);
      });
    }
  }
}
