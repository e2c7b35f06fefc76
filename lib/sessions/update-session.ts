// PATCH /api/sessions/:id: what a person may change on a session after it started: its budget and
// its permission mode. The gateway reads the budget from the row at each model call, so a raise
// lets the next call (a follow-up) through without restarting anything; the worker asks for its
// permissions before every tool call, so a new mode applies at the next one.
import { recordAudit, type AuditAction } from "../audit/record";
import type { Access } from "../auth/authorize";
import { db } from "../db/client";
import { ev, type NewEvent } from "../events/schema";
import type { SessionDto, UpdateSessionInput } from "../protocol/api";
import { getSession, toDto } from "./dto";

/** What records and publishes a mode change: the orchestrator (runtime().orchestrator). */
export interface ModeRecorder {
  record(id: string, event: NewEvent): Promise<void>;
  permissionsChanged(id: string): void;
}

export async function updateSession(access: Access, id: string, input: UpdateSessionInput, rec?: ModeRecorder): Promise<SessionDto> {
  const before = await getSession(access.teamId, id);
  await db().session.update({ where: { id }, data: { budgetUsd: input.budgetUsd, mode: input.mode } });
  if (input.budgetUsd !== undefined && before.budgetUsd !== input.budgetUsd) {
    await recordAudit({
      teamId: access.teamId,
      actor: access.caller.user,
      action: "session.budget_changed",
      targetType: "session",
      targetId: id,
      data: { from: before.budgetUsd, to: input.budgetUsd, spentUsd: before.costUsd },
    });
  }
  if (input.mode !== undefined && input.mode !== before.mode) {
    rec?.permissionsChanged(id);
    await rec?.record(id, ev("mode", { mode: input.mode, by: access.caller.user.name }));
    await recordAudit({ teamId: access.teamId, actor: access.caller.user, action: "session.mode_changed", targetType: "session", targetId: id, data: { from: before.mode, to: input.mode } });
  }
  return toDto(await getSession(access.teamId, id));
}
