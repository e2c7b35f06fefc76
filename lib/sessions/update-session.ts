// PATCH /api/sessions/:id: what a person may change on a session after it started (its budget).
// The gateway reads the budget from the row at each model call, so a raise lets the next call
// (a follow-up) through without restarting anything.
import { recordAudit } from "../audit/record";
import type { Access } from "../auth/authorize";
import { db } from "../db/client";
import type { SessionDto, UpdateSessionInput } from "../protocol/api";
import { getSession, toDto } from "./dto";

export async function updateSession(access: Access, id: string, input: UpdateSessionInput): Promise<SessionDto> {
  const before = await getSession(access.teamId, id);
  await db().session.update({ where: { id }, data: { budgetUsd: input.budgetUsd } });
  if (before.budgetUsd !== input.budgetUsd) {
    await recordAudit({
      teamId: access.teamId,
      actor: access.caller.user,
      action: "session.budget_changed",
      targetType: "session",
      targetId: id,
      data: { from: before.budgetUsd, to: input.budgetUsd, spentUsd: before.costUsd },
    });
  }
  return toDto(await getSession(access.teamId, id));
}
