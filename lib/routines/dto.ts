// Routines and their runs as the API shows them: never the token's hash; runs carry their
// session's status (runs are ordinary sessions, looked up by id).
import { db } from "../db/client";
import type { Prisma, RoutineRun } from "../db/generated/client";
import { PermissionMode } from "../protocol/permissions";
import { RoutineKind, type RoutineDto, type RoutineRunDto } from "../protocol/routines";
import { upcoming } from "./schedule";

export const ROUTINE_INCLUDE = {
  repository: { select: { id: true, source: true } },
  runs: { orderBy: { createdAt: "desc" }, take: 1 },
} as const satisfies Prisma.RoutineInclude;
export type RoutineRow = Prisma.RoutineGetPayload<{ include: typeof ROUTINE_INCLUDE }>;

const NEXT_RUNS = 5;

export async function routineDtos(rows: RoutineRow[]): Promise<RoutineDto[]> {
  const statuses = await sessionStatuses(rows.flatMap((r) => r.runs.map((run) => run.sessionId)));
  return rows.map((r) => toRoutineDto(r, statuses));
}

export async function routineDto(row: RoutineRow): Promise<RoutineDto> {
  return (await routineDtos([row]))[0];
}

export async function runDtos(runs: RoutineRun[]): Promise<RoutineRunDto[]> {
  const statuses = await sessionStatuses(runs.map((r) => r.sessionId));
  return runs.map((r) => toRunDto(r, statuses));
}

function toRoutineDto(r: RoutineRow, statuses: Map<string, string>): RoutineDto {
  const schedule = r.cron && r.tz ? { cron: r.cron, tz: r.tz } : null;
  const last = r.runs[0];
  return {
    id: r.id,
    repoId: r.repository.id,
    repo: r.repository.source,
    name: r.name,
    prompt: r.prompt,
    baseBranch: r.baseBranch,
    kind: RoutineKind.safeParse(r.kind).data ?? "task",
    mode: PermissionMode.safeParse(r.mode).data ?? null,
    budgetUsd: r.budgetUsd,
    model: r.model,
    schedule,
    nextRuns: schedule && r.enabled && r.nextRunAt ? upcoming(schedule, r.nextRunAt, NEXT_RUNS).map((d) => d.toISOString()) : [],
    dailyCap: r.dailyCap,
    enabled: r.enabled,
    lastRun: last ? toRunDto(last, statuses) : null,
    createdAt: r.createdAt.toISOString(),
  };
}

function toRunDto(r: RoutineRun, statuses: Map<string, string>): RoutineRunDto {
  return {
    id: r.id,
    trigger: r.trigger as RoutineRunDto["trigger"],
    slot: r.slot?.toISOString() ?? null,
    missed: r.missed,
    text: r.text,
    state: r.state as RoutineRunDto["state"],
    error: r.error,
    sessionId: r.sessionId,
    sessionStatus: r.sessionId ? (statuses.get(r.sessionId) ?? null) : null,
    verdict: r.verdict === "ok" || r.verdict === "attention" ? r.verdict : null,
    summary: r.summary,
    createdAt: r.createdAt.toISOString(),
  };
}

async function sessionStatuses(ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = ids.filter((id): id is string => !!id);
  if (!wanted.length) return new Map();
  const rows = await db().session.findMany({ where: { id: { in: wanted } }, select: { id: true, status: true } });
  return new Map(rows.map((s) => [s.id, s.status]));
}
