// Budgets the gateway enforces before it forwards a model call: the session's own budget and the
// team's monthly cap. Read from PostgreSQL at every call (not kept in memory), so a raise in the
// API or Settings takes effect at the next call, and no process can forget what was spent.
import { db } from "../db/client";
import { monthStart } from "../events/store";
import { formatUsd } from "../protocol/money";

/** Why no more model calls may be forwarded for this session, or null while it is within budget. */
export async function budgetRefusal(sessionId: string, now = new Date()): Promise<string | null> {
  const rows = await db().$queryRaw<{ cost_usd: number; budget_usd: number | null; monthly_cap_usd: number | null; month_cost: number }[]>`
    SELECT s.cost_usd, s.budget_usd, t.monthly_cap_usd, COALESCE(m.cost_usd, 0) AS month_cost
    FROM sessions s
    JOIN teams t ON t.id = s.team_id
    LEFT JOIN team_usage_months m ON m.team_id = s.team_id AND m.month = ${monthStart(now)}::date
    WHERE s.id = ${sessionId}`;
  const r = rows[0];
  if (!r) return null;
  if (r.budget_usd !== null && r.cost_usd >= r.budget_usd) {
    return `budget reached: ${formatUsd(r.cost_usd)} of ${formatUsd(r.budget_usd)} (session budget); raise it to continue`;
  }
  if (r.monthly_cap_usd !== null && r.month_cost >= r.monthly_cap_usd) {
    return `budget reached: ${formatUsd(r.month_cost)} of ${formatUsd(r.monthly_cap_usd)} (team monthly cap); an admin can raise it in Settings to continue`;
  }
  return null;
}
