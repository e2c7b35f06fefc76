// Where each session of a search page matched: the best of its first matching events (or the
// prompt), with a ts_headline excerpt. Runs for one page only, so its cost is bounded by `limit`.
import { db } from "../db/client";
import { Prisma } from "../db/generated/client";
import type { SessionMatch } from "./dto";
import { FRAGMENT, HIT_END, HIT_START, toSnippet } from "./highlight";
import { tsquery } from "./search-session-ids";

// Among the first matches only: ranking every hit of a 50,000-event session would cost more than it tells.
// `IS TRUE` keeps the GIN index out of the per-session scan (see search-session-ids.ts).
const CANDIDATES = 20;
const OPTIONS = `StartSel=${HIT_START}, StopSel=${HIT_END}, MaxWords=24, MinWords=8, MaxFragments=2, FragmentDelimiter=${FRAGMENT}`;
// The same document the generated events.search column indexes (see the accounts migration).
const EVENT_TEXT = Prisma.sql`left(coalesce(e.data->>'text', e.data->>'message', (e.data->'input')::text, ''), 100000)`;
// Marker characters already in the text would read as hits; they have no business there anyway.
const clean = (doc: Prisma.Sql) => Prisma.sql`translate(${doc}, ${HIT_START + HIT_END + FRAGMENT}, '')`;

export async function findMatches(ids: string[], q: string): Promise<Map<string, SessionMatch>> {
  if (!ids.length) return new Map();
  const tsq = tsquery(q);
  const rows = await db().$queryRaw<{ id: string; seq: number | null; marked: string | null }[]>(Prisma.sql`
    SELECT p.id, best.seq,
      CASE WHEN best.seq IS NOT NULL THEN ts_headline('english', ${clean(Prisma.sql`best.doc`)}, ${tsq}, ${OPTIONS})
           WHEN s.search @@ ${tsq} THEN ts_headline('english', ${clean(Prisma.sql`s.prompt || ' — ' || s.repo`)}, ${tsq}, ${OPTIONS})
      END AS marked
    FROM unnest(${ids}::text[]) AS p(id)
    JOIN sessions s ON s.id = p.id
    LEFT JOIN LATERAL (
      SELECT c.seq, c.doc FROM (
        SELECT e.seq, e.search, ${EVENT_TEXT} AS doc FROM events e
        WHERE e.session_id = p.id AND (e.search @@ ${tsq}) IS TRUE ORDER BY e.seq LIMIT ${CANDIDATES}
      ) c ORDER BY ts_rank(c.search, ${tsq}) DESC, c.seq LIMIT 1
    ) best ON true`);
  const out = new Map<string, SessionMatch>();
  for (const r of rows) {
    if (r.marked === null) continue;
    out.set(r.id, { seq: r.seq === null ? 0 : Number(r.seq), ...toSnippet(r.marked) });
  }
  return out;
}
