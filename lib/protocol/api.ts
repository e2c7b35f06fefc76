// Shapes of the HTTP API, shared by route handlers, the browser UI and tests.
import { z } from "zod";
import { SessionStatus } from "../events/schema";
import { AttentionKind } from "../events/status";
import { ApprovalDtoSchema, PermissionMode, RulesSchema } from "./permissions";
import { safeText } from "./text";

/** Tokens by kind and what they cost, summed over the session's usage events. */
export const SessionUsageSchema = z.object({
  /** Input tokens read at full price (neither from nor into the prompt cache). */
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cacheReadTokens: z.number().int(),
  cacheWriteTokens: z.number().int(),
  costUsd: z.number(),
});
export type SessionUsage = z.infer<typeof SessionUsageSchema>;

/** A budget in US dollars. */
const usd = z.number().positive("a budget must be above $0").max(1_000_000);

export const SessionDtoSchema = z.object({
  id: z.string(),
  teamId: z.string(),
  repo: z.string(),
  baseBranch: z.string(),
  baseCommit: z.string().nullable(),
  branch: z.string(),
  headCommit: z.string().nullable(),
  prompt: z.string(),
  model: z.string(),
  status: SessionStatus,
  failureReason: z.string().nullable(),
  /** All input tokens, cache reads and writes included (see `usage` for the split). */
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  usage: SessionUsageSchema,
  /** The session's budget in USD (null: none); the gateway forwards nothing once cost reaches it. */
  budgetUsd: z.number().nullable(),
  /** Extended thinking budget in tokens (null: off). */
  thinkingBudget: z.number().int().nullable(),
  lastSeq: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  endedAt: z.string().nullable(),
  /** needs_review | changes_requested | approved | merged */
  reviewState: z.enum(["needs_review", "changes_requested", "approved", "merged"]),
  mergedCommit: z.string().nullable(),
  /** Who started it (null for sessions started before accounts existed). */
  createdBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** Permission mode: auto (the rules decide), ask (tool calls outside the allow rules wait for a person), plan (the agent plans first). */
  mode: PermissionMode,
  /** Approvals waiting for a person (GET /api/sessions/:id/approvals). */
  pendingApprovals: z.number().int().nonnegative(),
  /** The routine this session is a run of (null: started by a person). */
  routine: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** What a person must act on (null: nothing), and why in words. */
  attention: z.object({ kind: AttentionKind, reason: z.string(), since: z.string() }).nullable(),
});
export type SessionDto = z.infer<typeof SessionDtoSchema>;

export const CreateSessionInputSchema = z.object({
  repo: safeText().trim().min(1, "repo is required: an https URL or a path to a local git repository").max(2000),
  baseBranch: safeText().trim().min(1).max(255).optional(),
  prompt: safeText().trim().min(1, "prompt is required: say what the agent should do").max(100_000),
  model: z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9._:-]+$/, "model must be a model id such as claude-sonnet-5-5").optional(),
  /** USD; without it the team's default budget applies (if it has one). */
  budgetUsd: usd.optional(),
  /** Turns on extended thinking with this many tokens (checked against the model's table row). */
  thinkingBudget: z.number().int().min(1024, "a thinking budget is at least 1024 tokens").optional(),
  /** Permission mode; without it the repository's default, else the team's, else auto. */
  mode: PermissionMode.optional(),
});
export type CreateSessionInput = z.infer<typeof CreateSessionInputSchema>;

export const SendMessageInputSchema = z.object({ text: safeText().trim().min(1, "text is required").max(100_000) });

/**
 * PATCH /api/sessions/:id: its budget (null removes it) and/or its permission mode (applies at the
 * agent's next tool call: the worker asks for its permissions before every one).
 */
export const UpdateSessionInputSchema = z
  .strictObject({ budgetUsd: usd.nullable().optional(), mode: PermissionMode.optional() })
  .refine((p) => p.budgetUsd !== undefined || p.mode !== undefined, "send budgetUsd or mode");
export type UpdateSessionInput = z.infer<typeof UpdateSessionInputSchema>;

/** GET /api/sessions/:id/approvals: newest first. */
export const ApprovalListSchema = z.object({ approvals: z.array(ApprovalDtoSchema) });
export type ApprovalList = z.infer<typeof ApprovalListSchema>;

/**
 * Permission settings of a team or a repository as the API shows them (stored as they were sent;
 * null: none). A repository's rules add to its team's: both apply.
 */
export const PermissionSettingsDtoSchema = z.object({ rules: RulesSchema.nullable(), defaultMode: PermissionMode.nullable() });
export type PermissionSettingsDto = z.infer<typeof PermissionSettingsDtoSchema>;
/** The permission fields of PATCH /api/teams/:id and PATCH /api/repos/:id (null clears; absent: unchanged). */
export const PermissionSettingsPatchSchema = z.object({ rules: RulesSchema.nullable().optional(), defaultMode: PermissionMode.nullable().optional() });

export const EventsQuerySchema = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});

export const HealthSchema = z.object({
  ok: z.boolean(),
  database: z.object({ ok: z.boolean(), kind: z.enum(["embedded", "external"]), error: z.string().optional() }),
  docker: z.object({ ok: z.boolean(), address: z.string(), version: z.string().optional(), error: z.string().optional() }),
  image: z.object({ ready: z.boolean(), tag: z.string(), building: z.boolean(), error: z.string().optional() }),
  /** How session filesystems are made here (disk quota and host-path hiding, or the weaker fallback). */
  sessionFs: z.object({ mode: z.enum(["loop", "directory"]), detail: z.string() }).optional(),
  /** Each Docker engine (DOCKSIDE_DOCKER_HOSTS, else the one engine): does it answer, how many of our sandboxes run there. */
  engines: z.array(z.object({ address: z.string(), reachable: z.boolean(), sandboxes: z.number().int().nullable(), error: z.string().optional() })).optional(),
  /** The write probe: a small file written and fsynced in the data directory (and a database write). */
  disk: z.object({ ok: z.boolean(), path: z.string(), checkedAt: z.string(), error: z.string().optional() }).optional(),
  /** The warm pool of pre-booted sandboxes (DOCKSIDE_WARM_POOL; absent when it is off): ready per engine, claimed so far, its last failure. */
  warmPool: z
    .object({ size: z.number().int(), engines: z.array(z.object({ engine: z.string().nullable(), ready: z.number().int() })), claimed: z.number().int(), lastError: z.string().optional() })
    .optional(),
});
export type Health = z.infer<typeof HealthSchema>;
/** What /api/health tells a caller without credentials: only whether Dockside is up. */
export const PublicHealthSchema = z.object({ ok: z.boolean() }).strict();
export type PublicHealth = z.infer<typeof PublicHealthSchema>;

/** Every error response: `{ error: { code, message } }` with a 4xx/5xx status. */
export const ApiErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
