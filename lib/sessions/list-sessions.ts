// The team's history, newest first: filters, full-text search and keyset pagination. Which rows
// form the page is decided in SQL (lib/history); the page itself is loaded through Prisma.
import { db } from "../db/client";
import { decodeCursor, encodeCursor } from "../history/cursor";
import type { HistoryItem, SessionPage } from "../history/dto";
import { findMatches } from "../history/find-matches";
import { findSessionIds } from "../history/find-session-ids";
import type { ListSessionsQuery } from "../history/query";
import type { HistoryFilters } from "../history/scope";
import { hasLexemes, searchSessionIds } from "../history/search-session-ids";
import { SESSION_INCLUDE, toDto } from "./dto";

const EMPTY: SessionPage = { sessions: [], nextCursor: null };

export async function listSessions(teamId: string, query: ListSessionsQuery): Promise<SessionPage> {
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const authorId = query.author ? await resolveAuthor(query.author) : undefined;
  if (authorId === null) return EMPTY;
  if (query.q && !(await hasLexemes(query.q))) return EMPTY;
  const filters: HistoryFilters = { teamId, status: query.status, attention: query.attention, review: query.review, repo: query.repo, authorId, from: query.from, to: query.to };
  const want = query.limit + 1;
  const ids = query.q ? await searchSessionIds(filters, after, query.q, want) : await findSessionIds(filters, after, want);
  const pageIds = ids.slice(0, query.limit);
  const [rows, matches] = await Promise.all([
    db().session.findMany({ where: { id: { in: pageIds } }, include: SESSION_INCLUDE }),
    query.q ? findMatches(pageIds, query.q) : null,
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const sessions: HistoryItem[] = [];
  for (const id of pageIds) {
    const row = byId.get(id);
    if (!row) continue; // deleted between the two reads
    const match = matches?.get(id);
    sessions.push(match ? { ...toDto(row), match } : toDto(row));
  }
  // From the last row shown: a row deleted meanwhile leaves no gap, the next page starts after it anyway.
  const last = sessions[sessions.length - 1];
  const nextCursor = ids.length > query.limit && last ? encodeCursor({ createdAt: new Date(last.createdAt), id: last.id }) : null;
  return { sessions, nextCursor };
}

/** An author filter is a user id, or an email (null when nobody has it: the page is empty). */
async function resolveAuthor(author: string): Promise<string | null> {
  if (!author.includes("@")) return author;
  const user = await db().user.findFirst({ where: { email: { equals: author, mode: "insensitive" } }, select: { id: true } });
  return user?.id ?? null;
}
