// The host's side of a session's setup phase: the plan it handed the worker (so an upload can
// only be the snapshot it asked for), the secret values to mask in everything the worker sends,
// and what happens when the worker reports setup done.
import { db } from "../db/client";
import { AppError } from "../errors";
import { planSetup, type PlannedSetup } from "../environments/plan";
import { sessionSecrets } from "../environments/secrets";
import { serverSecretValues, storedServers } from "../mcp/stored";
import { finishSetup, markUsed, storeSnapshot } from "../environments/snapshots";
import type { SetupDone, SetupPlan } from "../protocol/worker";
import type { SessionEgress } from "./session-egress";

export class SessionSetup {
  /** Every secret value of the session (team and repository): masked in stored and streamed events. */
  masks: string[] = [];
  finished = false;
  private given: (PlannedSetup & { repositoryId: string | null }) | null = null;

  constructor(
    readonly id: string,
    private readonly egress: SessionEgress,
  ) {}

  async load(): Promise<void> {
    const row = await db().session.findUniqueOrThrow({ where: { id: this.id }, select: { teamId: true, repositoryId: true, setupFinishedAt: true, mcpServers: true } });
    this.finished = row.setupFinishedAt !== null;
    // The MCP servers' env and header values too: a server that logs its token must not put it in the log.
    const mcp = row.mcpServers ? serverSecretValues(storedServers(row.mcpServers, `session ${this.id}`)) : [];
    this.masks = [...new Set([...(await sessionSecrets(row.teamId, row.repositoryId)).map((s) => s.value), ...mcp])];
  }

  /**
   * Starts working out the plan as the channel opens, so the worker's GET /worker/setup (asked
   * the moment it starts, beside its config) finds it made: a few queries and a host git read
   * that a pooled start would otherwise wait for. Taken by the first plan() only; a later ask
   * (after a worker restart) plans again from the rows as they are then.
   */
  prepare(): void {
    // Finished: the worker does not ask. Asked already (a pooled worker is that quick): nothing to save.
    if (this.finished || this.asked) return;
    const made = this.make();
    made.catch(() => {}); // its failure is the worker's answer, when it asks
    this.prepared = made;
  }
  private prepared: Promise<SetupPlan> | null = null;

  private asked = false;

  async plan(): Promise<SetupPlan> {
    this.asked = true;
    const made = this.prepared ?? this.make();
    this.prepared = null;
    return made;
  }

  private async make(): Promise<SetupPlan> {
    const r = await planSetup(this.id);
    const row = await db().session.findUniqueOrThrow({ where: { id: this.id }, select: { repositoryId: true } });
    this.given = { ...r, repositoryId: row.repositoryId };
    this.masks = [...new Set([...this.masks, ...r.masks])];
    if (r.plan.run === "none") await this.done({ ok: true, state: "skipped" });
    return r.plan;
  }

  async environmentFile(): Promise<string | null> {
    return this.given?.plan.run === "restore" ? this.given.snapshotFile : null;
  }

  async uploaded(key: string, setupMs: number, file: string): Promise<void> {
    const plan = this.given?.plan;
    if (!plan || plan.run === "none" || plan.key !== key) throw new AppError("invalid", "this snapshot was not asked for: its key is not the one in this session's setup plan");
    // Only what the setup left, before the agent could touch anything: once per plan, and never
    // after the setup ended or the agent's phase began (a subverted worker could otherwise hand
    // every later session of the repository a poisoned environment).
    if (this.finished || this.uploadTaken || this.egress.phase === "agent") throw new AppError("conflict", "a cached environment is taken only once, at the end of setup, before the agent starts");
    this.uploadTaken = true;
    await storeSnapshot(this.id, key, setupMs, file, this.given!);
  }
  private uploadTaken = false;

  /**
   * The agent's first model call: setup is over whatever the worker reported. Recorded, so that
   * a restart never runs the setup script (with its secrets and network) over the agent's work.
   */
  agentStarted(): void {
    if (this.finished) return;
    this.finished = true;
    void finishSetup(this.id, { ok: true, state: "skipped" }).catch((err) => console.error(`[setup] ${this.id}: could not record the end of setup`, err));
  }

  async done(d: SetupDone): Promise<void> {
    if (d.ok) {
      await finishSetup(this.id, d);
      this.finished = true;
      const plan = this.given?.plan;
      if (d.state === "cached" && plan?.run === "restore" && this.given?.snapshotId) await markUsed(this.given.snapshotId);
    }
    // Failed or not, setup is over: nothing more may use its policy.
    this.egress.enterAgentPhase();
  }
}
