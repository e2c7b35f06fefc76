// The gateway's budget check without a database round trip on most calls, and still exact.
// A recent snapshot (budget.ts) plus every cost recorded since that query was sent can only
// overstate what was spent (a record may be in the snapshot and counted again), so while that sum
// stays under both limits the call is within budget for certain and goes on at once. Anything
// closer is decided by a fresh exact query: every refusal comes from PostgreSQL, so a raise takes
// effect at the next call. Staleness is bounded by FRESH_MS: a limit lowered (or another session's
// spend against the team cap) is seen within that long; a background refresh keeps it short.
import { budgetCheck, refusalFor, type BudgetCheck, type BudgetFigures, type Unrecorded } from "./budget";

/** How long a snapshot may decide calls on its own. */
export const FRESH_MS = 1000;

interface Snapshot {
  figures: BudgetFigures;
  lastSeq: number;
  sentAt: number;
  /** Cost recorded since the query was sent (possibly also in the snapshot). */
  since: { usd: number };
}

export class BudgetGate {
  private snapshot: Snapshot | null = null;
  // Accumulators of queries in flight, so a record made while one runs is counted after it.
  private readonly open = new Set<{ usd: number }>();
  private refreshing: Promise<BudgetCheck> | null = null;

  constructor(
    private readonly sessionId: string,
    private readonly unrecorded: () => Unrecorded[],
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A call's cost is now known (its usage is being recorded). */
  recorded(costUsd: number): void {
    if (!(costUsd > 0)) return;
    if (this.snapshot) this.snapshot.since.usd += costUsd;
    for (const acc of this.open) acc.usd += costUsd;
  }

  /** The check for one call: from the snapshot when it is certain, otherwise from PostgreSQL. */
  check(): Promise<BudgetCheck> {
    const s = this.snapshot;
    if (s && this.now() - s.sentAt < FRESH_MS && refusalFor(s.figures, s.since.usd) === null) {
      if (this.now() - s.sentAt > FRESH_MS / 2) void this.refresh().catch(() => {});
      return Promise.resolve({ refusal: null, lastSeq: s.lastSeq, figures: s.figures });
    }
    return this.query();
  }

  // One background refresh at a time; a call that needs the database never waits for it.
  private refresh(): Promise<BudgetCheck> {
    this.refreshing ??= this.query().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async query(): Promise<BudgetCheck> {
    const acc = { usd: 0 };
    const sentAt = this.now();
    this.open.add(acc);
    try {
      const r = await budgetCheck(this.sessionId, this.unrecorded());
      // A newer snapshot (sent later) is never replaced by an older one.
      if (r.figures && (!this.snapshot || this.snapshot.sentAt <= sentAt)) this.snapshot = { figures: r.figures, lastSeq: r.lastSeq, sentAt, since: acc };
      return r;
    } finally {
      this.open.delete(acc);
    }
  }
}
