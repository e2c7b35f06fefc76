// Memory: what a team's agents learnt, reviewed like code (lib/memory/). Shapes of the HTTP API
// (GET/POST /api/memory, PATCH /api/memory/:id, consolidation proposals) and of the worker's
// `remember` / `recall` calls on the channel. zod only: the worker bundles the worker parts.
import { z } from "zod";
import { safeText } from "./text";

export const MEMORY_STATES = ["proposed", "accepted", "archived", "rejected"] as const;
export const MemoryState = z.enum(MEMORY_STATES);
export type MemoryState = z.infer<typeof MemoryState>;

/** Short markdown: a build command, a convention, a pitfall, a decision. */
export const MEMORY_TEXT_MAX = 2000;
const entryText = safeText().trim().min(1, "text is required: what should the team's agents remember?").max(MEMORY_TEXT_MAX, `a memory entry is at most ${MEMORY_TEXT_MAX} characters: keep it to one fact`);

export const MemorySourceSchema = z.object({
  /** The session (and turn: the seq of the message that started it) whose agent proposed it. */
  sessionId: z.string().nullable(),
  turn: z.number().int().nullable(),
  /** The person who wrote it (null when an agent proposed it). */
  by: z.string().nullable(),
});

export const MemoryEntryDtoSchema = z.object({
  id: z.string(),
  /** null: the whole team's entry. */
  repoId: z.string().nullable(),
  repo: z.string().nullable(),
  text: z.string(),
  state: MemoryState,
  version: z.number().int().positive(),
  source: MemorySourceSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  uses: z.number().int().nonnegative(),
});
export type MemoryEntryDto = z.infer<typeof MemoryEntryDtoSchema>;

export const MemoryVersionDtoSchema = z.object({
  version: z.number().int().positive(),
  text: z.string(),
  state: MemoryState,
  author: z.string().nullable(),
  sessionId: z.string().nullable(),
  note: z.string(),
  createdAt: z.string(),
});
export type MemoryVersionDto = z.infer<typeof MemoryVersionDtoSchema>;

export const MEMORY_PROPOSAL_KINDS = ["merge", "archive", "rewrite"] as const;
export const MemoryProposalDtoSchema = z.object({
  id: z.string(),
  repoId: z.string().nullable(),
  kind: z.enum(MEMORY_PROPOSAL_KINDS),
  entryIds: z.array(z.string()),
  /** merge / rewrite: the text the first entry would get. */
  text: z.string().nullable(),
  reason: z.string(),
  state: z.enum(["proposed", "accepted", "rejected"]),
  createdAt: z.string(),
});
export type MemoryProposalDto = z.infer<typeof MemoryProposalDtoSchema>;

/** GET /api/memory?repo=&q=&state= (repo: a repository id, or "team" for the team's own entries). */
export const MemoryQuerySchema = z.object({
  repo: z.string().max(200).optional(),
  q: safeText().trim().max(500).optional(),
  state: MemoryState.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
export type MemoryQuery = z.infer<typeof MemoryQuerySchema>;
export const MemoryListSchema = z.object({ entries: z.array(MemoryEntryDtoSchema), proposals: z.array(MemoryProposalDtoSchema) });
export type MemoryList = z.infer<typeof MemoryListSchema>;

/** POST /api/memory: a person writes an entry (accepted at once). repo: a repository id or its location; absent: the team's. */
export const MemoryCreateSchema = z.strictObject({ repo: safeText().trim().min(1).max(2000).optional(), text: entryText });
export type MemoryCreate = z.infer<typeof MemoryCreateSchema>;

/** PATCH /api/memory/:id: accept, archive or reject, and/or edit the text (a new version). */
export const MemoryPatchSchema = z
  .strictObject({ state: z.enum(["accepted", "archived", "rejected"]).optional(), text: entryText.optional() })
  .refine((p) => p.state !== undefined || p.text !== undefined, "nothing to change: give a state and/or a text");
export type MemoryPatch = z.infer<typeof MemoryPatchSchema>;

/** POST /api/memory/proposals/:id {decision}. */
export const MemoryProposalDecisionSchema = z.strictObject({ decision: z.enum(["accept", "reject"]) });

// ---- the worker's tools (POST /worker/memory, POST /worker/recall)

export const RememberRequestSchema = z.strictObject({
  callId: z.string().min(1).max(200),
  text: z.string().min(1).max(MEMORY_TEXT_MAX),
  scope: z.enum(["repository", "team"]).default("repository"),
});
export type RememberRequest = z.infer<typeof RememberRequestSchema>;
export const RememberResultSchema = z.object({ id: z.string(), state: MemoryState });
export type RememberResult = z.infer<typeof RememberResultSchema>;

export const RecallRequestSchema = z.strictObject({ query: z.string().min(1).max(500), limit: z.number().int().min(1).max(20).default(8) });
export type RecallRequest = z.infer<typeof RecallRequestSchema>;
export const RecallResultSchema = z.object({
  entries: z.array(z.object({ id: z.string(), text: z.string(), scope: z.enum(["repository", "team"]), state: MemoryState, createdAt: z.string() })),
});
export type RecallResult = z.infer<typeof RecallResultSchema>;
