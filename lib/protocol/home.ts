// The home page's summary (GET /api/home): what needs the person, in one answer. Each section
// holds its newest few sessions and how many there are in all; names, never ids, for people.
import { z } from "zod";
import { SessionStatus } from "../events/schema";
import { AttentionKind } from "../events/status";
import { AlertDtoSchema } from "./alerts";
import { ReviewState } from "./review";

export const HomeScope = z.enum(["mine", "team"]);
export type HomeScope = z.infer<typeof HomeScope>;

/** Without a scope the server picks: "mine" when the person started a session in the team, else "team". */
export const HomeQuerySchema = z.object({ scope: HomeScope.optional() });

/** In the order the page shows them. */
export const HOME_SECTIONS = ["approval", "attention", "running", "review", "merged"] as const;
export type HomeSectionKey = (typeof HOME_SECTIONS)[number];

export const HomeSessionSchema = z.object({
  id: z.string(),
  /** The prompt's first line. */
  title: z.string(),
  repo: z.string(),
  status: SessionStatus,
  /** Who started it (null: a routine, or an account since removed). */
  author: z.string().nullable(),
  /** The routine it is a run of (null: started by a person). */
  routine: z.string().nullable(),
  /** The person asking started it ("started by you"). */
  startedByYou: z.boolean(),
  /** When it entered the section (merged, needs attention since, last change). */
  at: z.string(),
  attention: z.object({ kind: AttentionKind, reason: z.string() }).nullable(),
  failureReason: z.string().nullable(),
  reviewState: ReviewState,
  /** Who merged it (null: not merged, or merged before merges were attributed). */
  mergedBy: z.string().nullable(),
  mergedByYou: z.boolean(),
  pendingApprovals: z.number().int(),
});
export type HomeSession = z.infer<typeof HomeSessionSchema>;

export const HomeSectionSchema = z.object({ total: z.number().int(), sessions: z.array(HomeSessionSchema) });
export type HomeSection = z.infer<typeof HomeSectionSchema>;

export const HomeSummarySchema = z.object({
  scope: HomeScope,
  /** The person started at least one session in the team. */
  hasOwn: z.boolean(),
  /** The team has no session at all yet: the page shows the first step. */
  teamIsNew: z.boolean(),
  sections: z.object({
    approval: HomeSectionSchema,
    attention: HomeSectionSchema,
    running: HomeSectionSchema,
    review: HomeSectionSchema,
    merged: HomeSectionSchema,
  }),
  /** The team's open alerts ("mine": those on the person's sessions and those on no session). */
  alerts: z.array(AlertDtoSchema),
});
export type HomeSummary = z.infer<typeof HomeSummarySchema>;
