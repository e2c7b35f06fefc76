// A session's egress: the host's proxy on <run>/egress.sock (the sandbox reaches it through the
// worker's forwarder on 127.0.0.1:3128) and which phase's policy it applies. The phase starts at
// `setup` for a session whose setup has not finished and moves to `agent` once, for good: when
// the worker reports setup done, when there was nothing to set up, or at the first model call
// (the agent acts only through the model, so a worker that never reports cannot keep the setup
// policy for the agent). Every refusal becomes an `egress.blocked` event.
import { listenerPath, publishSocket, sweepDeadListeners } from "./socket-link";
import { db } from "../db/client";
import { env } from "../config/env";
import { ev, type NewEvent } from "../events/schema";
import { parsePins, type Pins } from "../egress/pins";
import { startEgressProxy, type EgressPhase, type EgressProxy } from "../egress/proxy";
import { sessionEgress } from "../environments/egress-settings";
import { DEFAULT_EGRESS, type EgressPolicy } from "../protocol/environments";

// Settings changes reach running sessions within this long (tightening a policy must not wait for a restart).
const REFRESH_MS = 5000;

let pins: Pins | undefined;
function egressPins(): Pins {
  pins ??= parsePins(env().DOCKSIDE_EGRESS_PINS);
  return pins;
}

export class SessionEgress {
  phase: EgressPhase = "setup";
  private proxy: EgressProxy | null = null;
  private policy: EgressPolicy = { ...DEFAULT_EGRESS, setup: "none", agent: "none" };
  private owner: { teamId: string; repositoryId: string | null } | null = null;
  private loadedAt = 0;
  private refreshing = false;

  constructor(
    readonly id: string,
    private readonly runDir: string,
    private readonly record: (event: NewEvent) => void,
  ) {}

  async open(setupFinished: boolean): Promise<void> {
    if (this.proxy) return;
    const row = await db().session.findUniqueOrThrow({ where: { id: this.id }, select: { teamId: true, repositoryId: true } });
    this.owner = row;
    await this.reload();
    this.phase = setupFinished ? "agent" : "setup";
    // A socket of its own, which egress.sock points at (socket-link.ts: a lost lease's close never removes the new owner's).
    const socketPath = listenerPath(this.runDir, "egress");
    this.proxy = await startEgressProxy({
      socketPath,
      rule: () => {
        this.maybeRefresh();
        return { phase: this.phase, mode: this.policy[this.phase], allow: this.policy.allow };
      },
      onBlocked: (b) => this.record(ev("egress.blocked", { host: b.host.slice(0, 300), port: b.port, phase: b.phase, reason: b.reason.slice(0, 500), ...(b.repeats ? { repeats: b.repeats } : {}) })),
      pins: egressPins(),
    });
    publishSocket(this.runDir, "egress", socketPath);
    void sweepDeadListeners(this.runDir, "egress", socketPath);
  }

  /** From now on the agent's policy applies; connections opened under the setup policy are cut. */
  enterAgentPhase(): void {
    if (this.phase === "agent") return;
    this.phase = "agent";
    this.proxy?.closeTunnels();
  }

  async close(): Promise<void> {
    const p = this.proxy;
    this.proxy = null;
    await p?.close();
  }

  private async reload(): Promise<void> {
    if (!this.owner) return;
    this.policy = await sessionEgress(this.owner.teamId, this.owner.repositoryId);
    this.loadedAt = Date.now();
  }

  private maybeRefresh(): void {
    if (this.refreshing || Date.now() - this.loadedAt < REFRESH_MS) return;
    this.refreshing = true;
    void this.reload()
      .catch((err) => console.error(`[egress] ${this.id}: could not reload the policy`, err))
      .finally(() => (this.refreshing = false));
  }
}
