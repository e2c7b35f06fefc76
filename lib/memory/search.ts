// Finding entries: full text on the generated `search` column (ranked by ts_rank), with a
// case-insensitive substring fallback so code-ish queries (`pnpm`, `--frozen-lockfile`, a file
// path) match too. SQL is built from typed values only (Prisma.sql parameters).
import { db } from "../db/client";
import { Prisma } from "../db/generated/client";
import { ENTRY_SELECT, type EntryRow } from "./dto";

export interface SearchSpec {
  teamId: string;
  /** More conditions on `e` (scope, state), ANDed. */
  where?: Prisma.Sql[];
  q?: string;
  /**
   * "all": a person's query (websearch syntax: every word, "quoted phrases", or);
   * "any": relevance to free text (an agent's question, a task prompt): any of its words.
   */
  match?: "all" | "any";
  /** Only entries the query matches (else every entry, the matching ones first). */
  onlyMatches?: boolean;
  limit: number;
}

const MAX_WORDS = 64;

/** The words of free text as a to_tsquery OR-query (letters and digits only: no operator can get in), or null. */
export function anyWordsQuery(text: string): string | null {
  const words = [...new Set((text.toLowerCase().match(/[\p{L}\p{N}]{2,}/gu) ?? []).slice(0, 4 * MAX_WORDS))].slice(0, MAX_WORDS);
  return words.length ? words.join(" | ") : null;
}

/** websearch syntax without its "-word" (NOT): `--frozen-lockfile` is a flag to find, not every entry without it. */
const webQuery = (q: string) => q.replace(/(^|\s)-+(?=\S)/g, "$1");

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Entries of the team, most relevant to `q` first (then most used, then newest); without `q`: newest first ("all") or most used ("any"). */
export async function searchEntries(spec: SearchSpec): Promise<EntryRow[]> {
  const conds: Prisma.Sql[] = [Prisma.sql`e.team_id = ${spec.teamId}`, ...(spec.where ?? [])];
  const q = spec.q?.trim();
  let order = Prisma.sql`e.created_at DESC, e.id`;
  if (q) {
    const tsq = spec.match === "any" ? anyWordsQuery(q) : webQuery(q);
    const query = tsq === null ? null : spec.match === "any" ? Prisma.sql`to_tsquery('english', ${tsq})` : Prisma.sql`websearch_to_tsquery('english', ${tsq})`;
    const like = Prisma.sql`e.text ILIKE ${likePattern(q)} ESCAPE '\\'`;
    const hit = query ? Prisma.sql`(e.search @@ ${query} OR ${like})` : like;
    // A substring hit of the whole query counts as a strong full-text hit.
    const rank = query ? Prisma.sql`(ts_rank(e.search, ${query}) + CASE WHEN ${like} THEN 0.1 ELSE 0 END)` : Prisma.sql`(CASE WHEN ${like} THEN 0.1 ELSE 0 END)`;
    if (spec.onlyMatches !== false) conds.push(hit);
    order = Prisma.sql`${rank} DESC, e.uses DESC, e.created_at DESC, e.id`;
  } else if (spec.onlyMatches) {
    return [];
  } else if (spec.match === "any") {
    order = Prisma.sql`e.uses DESC, e.created_at DESC, e.id`;
  }
  const ids = await db().$queryRaw<{ id: string }[]>`SELECT e.id FROM memory_entries e WHERE ${Prisma.join(conds, " AND ")} ORDER BY ${order} LIMIT ${spec.limit}`;
  if (!ids.length) return [];
  const rows = await db().memoryEntry.findMany({ where: { id: { in: ids.map((r) => r.id) } }, select: ENTRY_SELECT });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((r) => byId.get(r.id)).filter((r): r is EntryRow => !!r);
}

/** Counts a use of each entry (a prompt or a recall), without touching `updated_at` (that is for changes). */
export async function bumpUses(ids: string[]): Promise<void> {
  if (!ids.length) return;
  await db().$executeRaw`UPDATE memory_entries SET uses = uses + 1, last_used_at = now() AT TIME ZONE 'UTC' WHERE id = ANY(${ids}::text[])`;
}
