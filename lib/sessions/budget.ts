// Budgets the gateway enforces before it forwards a model call: the session's own budget and the
// team's monthly cap. Read from PostgreSQL at every call (not kept in memory), so a raise in the
// API or Settings takes effect at the next call, and no process can forget what was spent.
// Cost this gateway already knows but has not stored yet (an answer whose usage is still being
// written) is added to what PostgreSQL says, so the next call need not wait for that write.
import { Prisma } from "../db/generated/client";
import { db } from "../db/client";
import { monthStart } from "../events/store";
import { formatUsd } from "../protocol/money";

/** A usage record on its way to the log: its key (in the event's data) and its cost. */
export interface Unrecorded {
  key: string;
  costUsd: number;
  /** The session's last seq when its call was checked: the usage event will come after it. */
  afterSeq: number;
}

/** What was spent (counting unrecorded cost) and the limits, as read in one snapshot. */
export interface BudgetFigures {
  costUsd: number;
  budgetUsd: number | null;
  monthCostUsd: number;
  monthlyCapUsd: number | null;
}

export interface BudgetCheck {
  /** Why no more model calls may be forwarded, or null while within budget. */
  refusal: string | null;
  /** The session's last seq in the snapshot read (a lower bound for the usage of this call). */
  lastSeq: number;
  /** Null when the session does not exist. */
  figures: BudgetFigures | null;
}

/** The refusal the figures call for, with `more` (cost not in them) added to both totals. */
export function refusalFor(f: BudgetFigures, more = 0): string | null {
  const cost = f.costUsd + more;
  const month = f.monthCostUsd + more;
  if (f.budgetUsd !== null && cost >= f.budgetUsd) {
    return `budget reached: ${formatUsd(cost)} of ${formatUsd(f.budgetUsd)} (session budget); raise it to continue`;
  }
  if (f.monthlyCapUsd !== null && month >= f.monthlyCapUsd) {
    return `budget reached: ${formatUsd(month)} of ${formatUsd(f.monthlyCapUsd)} (team monthly cap); an admin can raise it in Settings to continue`;
  }
  return null;
}

/** Why no more model calls may be forwarded for this session, or null while it is within budget. */
export async function budgetRefusal(sessionId: string, now = new Date()): Promise<string | null> {
  return (await budgetCheck(sessionId, [], now)).refusal;
}

/**
 * The budget check, counting `unrecorded` cost exactly once: one statement (one snapshot) reads
 * the totals and which of those keys the totals already hold, so a record committed while this
 * runs is counted by PostgreSQL or by memory, never by both or neither.
 */
export async function budgetCheck(sessionId: string, unrecorded: readonly Unrecorded[], now = new Date()): Promise<BudgetCheck> {
  const pending = unrecorded.filter((u) => u.costUsd > 0);
  // Only the events after the oldest pending call's check can be its usage: a short index range.
  const seen = pending.length
    ? Prisma.sql`(SELECT COALESCE(SUM((e.data->>'costUsd')::float8), 0) FROM events e
        WHERE e.session_id = s.id AND e.seq > ${Math.min(...pending.map((u) => u.afterSeq))} AND e.type = 'usage'
          AND e.data->>'key' = ANY(${pending.map((u) => u.key)}::text[]))`
    : Prisma.sql`0::float8`;
  const rows = await db().$queryRaw<{ cost_usd: number; budget_usd: number | null; monthly_cap_usd: number | null; month_cost: number; last_seq: number; seen: number }[]>`
    SELECT s.cost_usd, s.budget_usd, t.monthly_cap_usd, COALESCE(m.cost_usd, 0) AS month_cost, s.last_seq, ${seen} AS seen
    FROM sessions s
    JOIN teams t ON t.id = s.team_id
    LEFT JOIN team_usage_months m ON m.team_id = s.team_id AND m.month = ${monthStart(now)}::date
    WHERE s.id = ${sessionId}`;
  const r = rows[0];
  if (!r) return { refusal: null, lastSeq: 0, figures: null };
  const extra = Math.max(0, pending.reduce((a, u) => a + u.costUsd, 0) - Number(r.seen));
  const figures = { costUsd: r.cost_usd + extra, budgetUsd: r.budget_usd, monthCostUsd: Number(r.month_cost) + extra, monthlyCapUsd: r.monthly_cap_usd };
  return { refusal: refusalFor(figures), lastSeq: r.last_seq, figures };
}
