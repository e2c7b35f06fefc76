// Which sessions this instance runs. With several Dockside instances on one database, each session
// is run by exactly one: the holder of its lease (lib/runner/lease.ts). Running means having its
// worker channel open, watching its container, launching, stopping and reaping it. Everything
// else (reading, storing a person's message, asking for a stop) any instance does through
// PostgreSQL, then tells the holder (lib/realtime/control.ts).
//
// - A session is taken when this instance creates it, or acts on one nobody live holds (own()).
// - The takeover scan (every heartbeat, 5 s) takes sessions whose holder died and recovers them:
//   the worker's sandbox keeps running, reconnects to the new holder's channel and resends what
//   it had not been told was stored (its write-ahead outbox), which the event log takes once.
// - A lease found lost at renewal (this process was paused, or cut off from the database) detaches
//   the session at once: its channel closes, the container is left to the new holder. Writes made
//   meanwhile are refused by the fence in the append's transaction (lib/events/store.ts).
import type { Fence } from "../events/store";
import { acquireLease, checkFence, onLeaseLost, orphanedSessions, releaseLease } from "../runner/lease";
import { onHeartbeat, startInstance } from "../runner/instance";

export interface OwnershipHooks {
  /** The lease was taken over: stop acting on the session (leave its container alone). */
  lost(sessionId: string): void;
  /** Sessions in a live status nobody runs: take and recover them. */
  takeOver(sessionIds: string[]): Promise<void>;
  /** Sessions this instance holds whose launch was lost (an error nothing recorded): recovered like orphans. */
  stalled?(held: string[]): Promise<string[]>;
}

export class Ownership {
  private readonly epochs = new Map<string, number>();
  private unhooks: (() => void)[];
  private takeover: (() => void) | undefined;
  private scanning = false;

  constructor(private readonly hooks: OwnershipHooks) {
    this.unhooks = [
      onLeaseLost((l) => {
        if (this.epochs.get(l.sessionId) !== l.epoch) return;
        this.epochs.delete(l.sessionId);
        console.log(`[sessions] ${l.sessionId} is now run by another instance (lease epoch ${l.epoch} lost): detached`);
        hooks.lost(l.sessionId);
      }),
    ];
  }

  /** Whether this instance runs the session: it does already, or it just took the lease (nobody live held it). */
  async own(sessionId: string): Promise<boolean> {
    if (this.epochs.has(sessionId)) return true;
    const lease = await acquireLease(sessionId);
    if (!lease) return false;
    this.epochs.set(sessionId, lease.epoch);
    return true;
  }

  /** Whether this instance holds the session's lease (as far as it knows: the fence has the last word). */
  holds(sessionId: string): boolean {
    return this.epochs.has(sessionId);
  }

  /** The fence for this instance's writes to the session's log, while it runs it. */
  fence(sessionId: string): Fence | undefined {
    const epoch = this.epochs.get(sessionId);
    return epoch === undefined ? undefined : (tx) => checkFence(tx, sessionId, epoch);
  }

  /** The session ended here (stopped, failed): any instance may take it at its next follow-up, at once. */
  async release(sessionId: string): Promise<void> {
    if (!this.epochs.delete(sessionId)) return;
    await releaseLease(sessionId).catch((err) => console.error(`[sessions] release lease ${sessionId}`, (err as Error).message));
  }

  /**
   * Every heartbeat: sessions in `statuses` whose holder is gone (dead instance, lease run out,
   * never leased) go to hooks.takeOver. `only` scopes it (test harnesses sharing a database).
   */
  startTakeover(statuses: string[], only?: () => string[] | undefined): void {
    if (this.takeover) return;
    // The heartbeat that drives the scan (also started by the first lease taken).
    void startInstance().catch((err) => console.error("[sessions] instance heartbeat", (err as Error).message));
    this.takeover = onHeartbeat(async () => {
        if (this.scanning) return;
        this.scanning = true;
        try {
          const scope = only?.();
          const orphans = (await orphanedSessions(statuses)).filter((id) => !this.epochs.has(id) && (!scope || scope.includes(id)));
          const stalled = this.epochs.size && this.hooks.stalled ? await this.hooks.stalled([...this.epochs.keys()]) : [];
          if (orphans.length || stalled.length) await this.hooks.takeOver([...orphans, ...stalled]);
        } catch (err) {
          console.error("[sessions] takeover scan", (err as Error).message);
        } finally {
          this.scanning = false;
        }
      });
  }

  stop(): void {
    for (const u of this.unhooks) u();
    this.unhooks = [];
    this.takeover?.();
    this.takeover = undefined;
  }
}
