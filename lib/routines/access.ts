// Loading a routine for a person: outsiders get 404 (like everything a team owns), and changing
// or deleting someone else's routine takes an admin or owner.
import { authorize, type Access } from "../auth/authorize";
import type { Caller } from "../auth/caller";
import { atLeast, type Action } from "../auth/roles";
import { db } from "../db/client";
import { AppError } from "../errors";
import { ROUTINE_INCLUDE, type RoutineRow } from "./dto";

export const ROUTINE_ID = /^[0-9a-f-]{36}$/;

export async function authorizeRoutine(caller: Caller, id: string, action: Action): Promise<{ access: Access; routine: RoutineRow }> {
  const routine = ROUTINE_ID.test(id) ? await db().routine.findUnique({ where: { id }, include: ROUTINE_INCLUDE }) : null;
  if (!routine) throw new AppError("not_found", "routine not found");
  const access = await authorize(caller, routine.teamId, action, "routine not found");
  return { access, routine };
}

/** Its creator changes a routine; anyone else needs admin or owner. */
export function assertMayChange(access: Access, routine: { createdById: string | null }): void {
  if (routine.createdById === access.caller.user.id || atLeast(access.role, "admin")) return;
  throw new AppError("forbidden", "this routine belongs to someone else: only its creator or an admin can change or delete it");
}
