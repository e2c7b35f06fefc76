// Changing, deleting and re-keying a routine (its creator, or an admin). A new schedule, or turning
// a scheduled routine back on, starts from the first slot after now: nothing fires for the past.
import type { Access } from "../auth/authorize";
import { recordAudit } from "../audit/record";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { checkBranchName } from "../git/repo-source";
import type { RoutineDto, RoutinePatch } from "../protocol/routines";
import { assertMayChange } from "./access";
import { ROUTINE_INCLUDE, routineDto, type RoutineRow } from "./dto";
import { checkModel, scheduleColumns } from "./fields";
import { nextSlot } from "./schedule";
import { newRoutineToken } from "./token";

export async function updateRoutine(access: Access, routine: RoutineRow, patch: RoutinePatch, now = new Date()): Promise<RoutineDto> {
  assertMayChange(access, routine);
  if (patch.baseBranch) await checkBranchName(patch.baseBranch);
  if (patch.model) checkModel(patch.model);
  const data: Prisma.RoutineUpdateInput = {
    name: patch.name,
    prompt: patch.prompt,
    baseBranch: patch.baseBranch,
    kind: patch.kind,
    mode: patch.mode,
    budgetUsd: patch.budgetUsd,
    model: patch.model,
    dailyCap: patch.dailyCap,
    enabled: patch.enabled,
  };
  if (patch.schedule !== undefined) Object.assign(data, scheduleColumns(patch.schedule, now));
  else if (patch.enabled && !routine.enabled && routine.cron && routine.tz) data.nextRunAt = nextSlot({ cron: routine.cron, tz: routine.tz }, now);
  const row = await db().routine.update({ where: { id: routine.id }, data, include: ROUTINE_INCLUDE });
  const changed = Object.keys(patch).filter((k) => patch[k as keyof RoutinePatch] !== undefined);
  await recordAudit({ teamId: routine.teamId, actor: access.caller.user, action: "routine.updated", targetType: "routine", targetId: routine.id, data: { name: row.name, changed } });
  return routineDto(row);
}

/** Its runs go with it; their sessions stay in the history (unmarked). */
export async function deleteRoutine(access: Access, routine: RoutineRow): Promise<void> {
  assertMayChange(access, routine);
  await db().routine.delete({ where: { id: routine.id } });
  await recordAudit({ teamId: routine.teamId, actor: access.caller.user, action: "routine.deleted", targetType: "routine", targetId: routine.id, data: { name: routine.name } });
}

/** A new webhook token; the old one stops working at once. */
export async function rotateRoutineToken(access: Access, routine: RoutineRow): Promise<{ token: string }> {
  assertMayChange(access, routine);
  const { token, hash } = newRoutineToken();
  await db().routine.update({ where: { id: routine.id }, data: { tokenHash: hash } });
  await recordAudit({ teamId: routine.teamId, actor: access.caller.user, action: "routine.token_rotated", targetType: "routine", targetId: routine.id, data: { name: routine.name } });
  return { token };
}
