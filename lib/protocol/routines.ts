// Routines: saved tasks on a repository that run on a schedule, a webhook or "run now"
// (lib/routines/). Shapes of the HTTP API and of the worker's `report` call.
import { z } from "zod";
import { PermissionMode } from "./permissions";
import { safeText } from "./text";

export const ROUTINE_KINDS = ["task", "check"] as const;
export const RoutineKind = z.enum(ROUTINE_KINDS);
export type RoutineKind = z.infer<typeof RoutineKind>;

export const ScheduleSchema = z.strictObject({
  /** Five fields: minute hour day-of-month month day-of-week ("0 6 * * 1-5"). */
  cron: z.string().trim().min(9).max(100),
  /** An IANA time zone ("Europe/Paris"); UTC when absent. */
  tz: z.string().trim().min(1).max(64).default("UTC"),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

const usd = z.number().positive("an amount must be above $0").max(1_000_000);

export const RoutineCreateSchema = z.strictObject({
  /** A registered repository: its id, location or URL. */
  repo: safeText().trim().min(1).max(2000),
  name: safeText().trim().min(1).max(100).optional(),
  prompt: safeText().trim().min(1, "prompt is required: say what the agent should do each run").max(100_000),
  baseBranch: safeText().trim().min(1).max(255).optional(),
  schedule: ScheduleSchema.nullable().optional(),
  kind: RoutineKind.default("task"),
  mode: PermissionMode.optional(),
  budgetUsd: usd.optional(),
  model: z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9._:-]+$/).optional(),
  /** At most this many runs in 24 hours, whatever triggers them. */
  dailyCap: z.number().int().min(1).max(1000).optional(),
});
export type RoutineCreate = z.infer<typeof RoutineCreateSchema>;

export const RoutinePatchSchema = z.strictObject({
  name: safeText().trim().min(1).max(100).optional(),
  prompt: safeText().trim().min(1).max(100_000).optional(),
  baseBranch: safeText().trim().min(1).max(255).nullable().optional(),
  schedule: ScheduleSchema.nullable().optional(),
  kind: RoutineKind.optional(),
  mode: PermissionMode.nullable().optional(),
  budgetUsd: usd.nullable().optional(),
  model: z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9._:-]+$/).nullable().optional(),
  dailyCap: z.number().int().min(1).max(1000).optional(),
  enabled: z.boolean().optional(),
});
export type RoutinePatch = z.infer<typeof RoutinePatchSchema>;

export const RoutineRunDtoSchema = z.object({
  id: z.string(),
  trigger: z.enum(["schedule", "webhook", "manual"]),
  slot: z.string().nullable(),
  missed: z.number().int().nonnegative(),
  text: z.string().nullable(),
  state: z.enum(["queued", "started", "failed", "skipped"]),
  error: z.string().nullable(),
  sessionId: z.string().nullable(),
  /** The session's status, when it has one. */
  sessionStatus: z.string().nullable(),
  verdict: z.enum(["ok", "attention"]).nullable(),
  summary: z.string().nullable(),
  createdAt: z.string(),
});
export type RoutineRunDto = z.infer<typeof RoutineRunDtoSchema>;

export const RoutineDtoSchema = z.object({
  id: z.string(),
  repoId: z.string(),
  repo: z.string(),
  name: z.string(),
  prompt: z.string(),
  baseBranch: z.string().nullable(),
  kind: RoutineKind,
  mode: PermissionMode.nullable(),
  budgetUsd: z.number().nullable(),
  model: z.string().nullable(),
  schedule: z.object({ cron: z.string(), tz: z.string() }).nullable(),
  /** The next scheduled runs (up to five), ISO times. */
  nextRuns: z.array(z.string()),
  dailyCap: z.number().int(),
  enabled: z.boolean(),
  lastRun: RoutineRunDtoSchema.nullable(),
  createdAt: z.string(),
});
export type RoutineDto = z.infer<typeof RoutineDtoSchema>;

/** POST /api/routines answers the routine and its webhook token (shown once). */
export const RoutineCreatedSchema = RoutineDtoSchema.extend({ token: z.string() });
export const RoutineListSchema = z.object({ routines: z.array(RoutineDtoSchema) });
export const RoutineRunsSchema = z.object({ runs: z.array(RoutineRunDtoSchema) });

/** POST /api/routines/:id/fire (Bearer: the routine's token) and POST /api/routines/:id/run (a person). */
export const RoutineFireSchema = z.strictObject({ text: safeText().trim().max(20_000).optional() });
export const RoutineFiredSchema = z.object({ runId: z.string(), sessionId: z.string().nullable(), state: RoutineRunDtoSchema.shape.state, error: z.string().nullable() });
export type RoutineFired = z.infer<typeof RoutineFiredSchema>;

// ---- the worker's `report` tool (POST /worker/report)

export const ReportRequestSchema = z.strictObject({
  callId: z.string().min(1).max(200),
  verdict: z.enum(["ok", "attention"]),
  summary: z.string().min(1).max(4000),
});
export type ReportRequest = z.infer<typeof ReportRequestSchema>;
