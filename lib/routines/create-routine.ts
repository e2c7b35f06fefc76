// Creating a routine: a saved task on one of the team's registered repositories, with an optional
// schedule, run as its creator. The answer carries the webhook token, shown this once.
import crypto from "node:crypto";
import type { Access } from "../auth/authorize";
import { recordAudit } from "../audit/record";
import { db } from "../db/client";
import { checkBranchName } from "../git/repo-source";
import type { RoutineCreate, RoutineDto } from "../protocol/routines";
import { ROUTINE_INCLUDE, routineDto } from "./dto";
import { checkModel, findRegistration, scheduleColumns } from "./fields";
import { newRoutineToken } from "./token";

const DEFAULT_DAILY_CAP = 24;

export async function createRoutine(access: Access, input: RoutineCreate, now = new Date()): Promise<RoutineDto & { token: string }> {
  const repository = await findRegistration(access.teamId, input.repo);
  if (input.baseBranch !== undefined) await checkBranchName(input.baseBranch);
  if (input.model !== undefined) checkModel(input.model);
  const schedule = scheduleColumns(input.schedule ?? null, now);
  const { token, hash } = newRoutineToken();
  const row = await db().routine.create({
    data: {
      id: crypto.randomUUID(),
      teamId: access.teamId,
      repositoryId: repository.id,
      name: input.name ?? nameFrom(input.prompt),
      prompt: input.prompt,
      baseBranch: input.baseBranch ?? null,
      kind: input.kind,
      mode: input.mode ?? null,
      budgetUsd: input.budgetUsd ?? null,
      model: input.model ?? null,
      ...schedule,
      dailyCap: input.dailyCap ?? DEFAULT_DAILY_CAP,
      tokenHash: hash,
      createdById: access.caller.user.id,
    },
    include: ROUTINE_INCLUDE,
  });
  await recordAudit({
    teamId: access.teamId,
    actor: access.caller.user,
    action: "routine.created",
    targetType: "routine",
    targetId: row.id,
    data: { name: row.name, repositoryId: repository.id, kind: row.kind, schedule: schedule.cron ? { cron: schedule.cron, tz: schedule.tz } : null },
  });
  return { ...(await routineDto(row)), token };
}

/** A routine without a name is called by its prompt's first line. */
function nameFrom(prompt: string): string {
  const line = prompt.split("\n")[0].trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line || "routine";
}
