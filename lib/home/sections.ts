// Which sessions belong in each section of the home page, as Prisma filters and orders. Every
// filter is combined with the team (and, for "mine", the person) by summary.ts.
import type { Prisma } from "../db/generated/client";
import { db } from "../db/client";
import { WAITING_STATUSES, WORKING_STATUSES } from "../events/status";
import type { HomeSectionKey } from "../protocol/home";

/** How far back "recent merges" reach. */
export const RECENT_MERGE_DAYS = 7;
const DAY_MS = 86_400_000;

/** Working but not waiting for a person: the agent is busy. */
const BUSY = WORKING_STATUSES.filter((s) => !WAITING_STATUSES.includes(s));

interface SectionQuery {
  where: Prisma.SessionWhereInput;
  orderBy: Prisma.SessionOrderByWithRelationInput[];
}

const NEWEST_CHANGE: Prisma.SessionOrderByWithRelationInput[] = [{ updatedAt: "desc" }, { id: "asc" }];

export function sectionQuery(key: HomeSectionKey, now: Date): SectionQuery {
  switch (key) {
    case "approval":
      return { where: { OR: [{ status: { in: [...WAITING_STATUSES] } }, { attention: "approval" }] }, orderBy: NEWEST_CHANGE };
    case "attention":
      // The attention column is the source (the event projection sets and clears it); a failed
      // session that has none yet (failed before attention existed) still needs someone.
      return {
        where: { OR: [{ attention: { in: ["failed", "model_error", "budget"] } }, { status: "failed", attention: null, attentionAt: null }] },
        orderBy: NEWEST_CHANGE,
      };
    case "running":
      return { where: { status: { in: BUSY } }, orderBy: NEWEST_CHANGE };
    case "review":
      // Done working, with commits of its own (the head moved off the base), and not merged.
      return {
        where: {
          status: { notIn: [...WORKING_STATUSES] },
          reviewState: { in: ["needs_review", "changes_requested"] },
          mergedAt: null,
          headCommit: { not: null },
          OR: [{ baseCommit: null }, { NOT: { headCommit: { equals: db().session.fields.baseCommit } } }],
        },
        orderBy: NEWEST_CHANGE,
      };
    case "merged": {
      // merged_at is written by merges since issue 13; older merges only set review_state.
      const since = new Date(now.getTime() - RECENT_MERGE_DAYS * DAY_MS);
      return {
        where: { OR: [{ mergedAt: { gte: since } }, { mergedAt: null, reviewState: "merged", updatedAt: { gte: since } }] },
        orderBy: [{ mergedAt: { sort: "desc", nulls: "last" } }, ...NEWEST_CHANGE],
      };
    }
  }
}

/** "Mine": sessions the person started; for merges also those the person merged. */
export function mineFilter(key: HomeSectionKey, userId: string): Prisma.SessionWhereInput {
  if (key === "merged") return { OR: [{ createdById: userId }, { mergedById: userId }] };
  return { createdById: userId };
}
