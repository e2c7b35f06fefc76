// Full-text search over a team's history: a session matches when its prompt or repository
// (sessions.search) or any of its events (events.search) matches `websearch_to_tsquery(q)`.
//
// Words of a query must meet in one event (or in the prompt): events are indexed one by one.
// Neither obvious plan is fast for every term, so the term's frequency picks one:
// - index first: the GIN index lists the matching events; their sessions are joined and sorted.
//   Costs next to nothing for a rare term, but reads most of the table for one in every third event.
// - walk: the newest sessions in order, each checked by a scan of its own events that stops at
//   the first hit. Common terms fill a page within a few sessions; but a term recent sessions
//   lack would make it read every event there is. So the walk covers a bounded window (at most
//   walkSessions sessions and walkEvents events) and index first searches what is older.
// The frequency comes from the planner's estimate (statistics on events.search), not a count:
// counting a common term through the index is itself the cost we are avoiding.
import { db } from "../db/client";
import { Prisma } from "../db/generated/client";
import type { Keyset } from "./cursor";
import { NEWEST_FIRST, notOlderThan, scope, type HistoryFilters } from "./scope";

export interface SearchPlan {
  /** Estimated matching events below which index first runs alone. */
  rareEvents: number;
  walkSessions: number;
  walkEvents: number;
}
// Tuned on bench/history.ts (10,000 sessions, 1,000,000 events): a full walk window costs ~50 ms.
export const DEFAULT_PLAN: SearchPlan = { rareEvents: 5_000, walkSessions: 500, walkEvents: 50_000 };

export const tsquery = (q: string) => Prisma.sql`websearch_to_tsquery('english', ${q})`;

/** False when the query has no searchable words (only stop words or punctuation). */
export async function hasLexemes(q: string): Promise<boolean> {
  const [row] = await db().$queryRaw<{ n: number }[]>(Prisma.sql`SELECT numnode(${tsquery(q)}) AS n`);
  return Number(row?.n ?? 0) > 0;
}

export async function searchSessionIds(f: HistoryFilters, after: Keyset | null, q: string, want: number, plan = DEFAULT_PLAN): Promise<string[]> {
  if ((await estimatedEventHits(q)) < plan.rareEvents) return indexFirst(f, after, q, want);
  const edge = await walkEdge(f, after, plan);
  if (!edge) return [];
  const walked = await walk(f, after, edge.key, q, want);
  if (walked.length >= want || edge.last) return walked;
  return [...walked, ...(await indexFirst(f, edge.key, q, want - walked.length))];
}

// OFFSET 0 keeps the lateral lookup a per-hit primary-key probe: left to itself the planner
// flattens it into a hash join that reads every session of the team, even for three hits.
async function indexFirst(f: HistoryFilters, after: Keyset | null, q: string, want: number): Promise<string[]> {
  const tsq = tsquery(q);
  const rows = await db().$queryRaw<{ id: string }[]>(Prisma.sql`
    SELECT id FROM (
      SELECT s.id, s.created_at FROM sessions s WHERE ${scope(f, after)} AND s.search @@ ${tsq}
      UNION
      SELECT s.id, s.created_at FROM (SELECT DISTINCT e.session_id FROM events e WHERE e.search @@ ${tsq}) hit
      CROSS JOIN LATERAL (SELECT s.id, s.created_at FROM sessions s WHERE s.id = hit.session_id AND ${scope(f, after)} OFFSET 0) s
    ) s ${NEWEST_FIRST} LIMIT ${want}`);
  return rows.map((r) => r.id);
}

// `IS TRUE` keeps the GIN index out of the per-session check: PostgreSQL underestimates a
// repeated GIN scan of a common term (milliseconds each), while a session's own events are few.
async function walk(f: HistoryFilters, after: Keyset | null, edge: Keyset, q: string, want: number): Promise<string[]> {
  const tsq = tsquery(q);
  const rows = await db().$queryRaw<{ id: string }[]>(Prisma.sql`
    SELECT s.id FROM sessions s
    LEFT JOIN LATERAL (
      SELECT 1 AS hit FROM events e WHERE e.session_id = s.id AND (e.search @@ ${tsq}) IS TRUE LIMIT 1
    ) ev ON true
    WHERE ${scope(f, after, [notOlderThan(edge)])} AND (s.search @@ ${tsq} OR ev.hit IS NOT NULL)
    ${NEWEST_FIRST} LIMIT ${want}`);
  return rows.map((r) => r.id);
}

async function estimatedEventHits(q: string): Promise<number> {
  const rows = await db().$queryRaw<{ "QUERY PLAN": unknown }[]>(
    Prisma.sql`EXPLAIN (FORMAT JSON) SELECT 1 FROM events e WHERE e.search @@ ${tsquery(q)}`,
  );
  const raw = rows[0]?.["QUERY PLAN"];
  const plan = (typeof raw === "string" ? JSON.parse(raw) : raw) as [{ Plan?: { "Plan Rows"?: number } }] | undefined;
  return Number(plan?.[0]?.Plan?.["Plan Rows"] ?? 0);
}

/** The oldest session of the walk window, and whether the window reaches the end of the list. */
async function walkEdge(f: HistoryFilters, after: Keyset | null, plan: SearchPlan): Promise<{ key: Keyset; last: boolean } | null> {
  const rows = await db().$queryRaw<{ id: string; n: number; t: string }[]>(Prisma.sql`
    SELECT s.id, s.last_seq AS n, to_char(s.created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS t
    FROM sessions s WHERE ${scope(f, after)} ${NEWEST_FIRST} LIMIT ${plan.walkSessions}`);
  if (!rows.length) return null;
  let events = 0;
  let cut = rows.length - 1;
  for (let i = 0; i < rows.length; i++) {
    events += Number(rows[i].n);
    if (events >= plan.walkEvents) {
      cut = i;
      break;
    }
  }
  const last = cut === rows.length - 1 && rows.length < plan.walkSessions;
  return { key: { createdAt: new Date(rows[cut].t), id: rows[cut].id }, last };
}
