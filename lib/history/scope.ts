// The WHERE clause every history query shares: team, filters and the keyset position. Built
// from typed values only (Prisma.sql parameters); no user input is ever spliced into SQL text.
import { Prisma } from "../db/generated/client";
import { WORKING_STATUSES } from "../events/status";
import type { Keyset } from "./cursor";

export interface HistoryFilters {
  teamId: string;
  status?: string;
  /** "any": every session that needs attention; else that kind only. */
  attention?: string;
  /** waiting: done, with commits of its own, not merged (the home page's "waiting for review"); merged. */
  review?: "waiting" | "merged";
  repo?: string;
  /** Already resolved to a user id. */
  authorId?: string;
  from?: Date;
  to?: Date;
}

// created_at is `timestamp(3)` holding UTC (Prisma's convention): compare against UTC wall time.
const utc = (d: Date) => Prisma.sql`(${d.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/** Rows strictly after `k` in newest-first order. The plain bound on created_at lets the index help. */
export function olderThan(k: Keyset): Prisma.Sql {
  return Prisma.sql`s.created_at <= ${utc(k.createdAt)} AND (s.created_at, s.id) < (${utc(k.createdAt)}, ${k.id})`;
}

/** Rows at or before `k` in newest-first order (the first rows up to and including `k`). */
export function notOlderThan(k: Keyset): Prisma.Sql {
  return Prisma.sql`s.created_at >= ${utc(k.createdAt)} AND (s.created_at, s.id) >= (${utc(k.createdAt)}, ${k.id})`;
}

// The same rules as the home page's sections (lib/home/sections.ts): older merges set only review_state.
const MERGED = Prisma.sql`(s.merged_at IS NOT NULL OR s.review_state = 'merged')`;
const WAITING_FOR_REVIEW = Prisma.sql`(s.status NOT IN (${Prisma.join([...WORKING_STATUSES])}) AND s.review_state IN ('needs_review', 'changes_requested') AND s.merged_at IS NULL AND s.head_commit IS NOT NULL AND s.head_commit IS DISTINCT FROM s.base_commit)`;

/** `sessions s` rows of the team that pass the filters, optionally after a keyset position. */
export function scope(f: HistoryFilters, after?: Keyset | null, extra: Prisma.Sql[] = []): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`s.team_id = ${f.teamId}`];
  if (f.status) parts.push(Prisma.sql`s.status = ${f.status}`);
  if (f.attention) parts.push(f.attention === "any" ? Prisma.sql`s.attention IS NOT NULL` : Prisma.sql`s.attention = ${f.attention}`);
  if (f.review) parts.push(f.review === "merged" ? MERGED : WAITING_FOR_REVIEW);
  if (f.repo) parts.push(Prisma.sql`s.repo = ${f.repo}`);
  if (f.authorId) parts.push(Prisma.sql`s.created_by_id = ${f.authorId}`);
  if (f.from) parts.push(Prisma.sql`s.created_at >= ${utc(f.from)}`);
  if (f.to) parts.push(Prisma.sql`s.created_at < ${utc(f.to)}`);
  if (after) parts.push(olderThan(after));
  return Prisma.join([...parts, ...extra], " AND ");
}

export const NEWEST_FIRST = Prisma.sql`ORDER BY s.created_at DESC, s.id DESC`;
