// Authorization in one place. Every route, socket subscription and token call asks here:
// "may this caller do `action` in team T?". Outside the team the answer is 404 (a team's
// things are not revealed); inside it with too small a role, 403.
import { db } from "../db/client";
import { AppError } from "../errors";
import type { Caller } from "./caller";
import { ACTION_ROLE, can, Role, type Action } from "./roles";

export interface Access {
  caller: Caller;
  teamId: string;
  role: Role;
}

export async function roleIn(caller: Caller, teamId: string): Promise<Role | null> {
  if (caller.tokenTeamId && caller.tokenTeamId !== teamId) return null;
  const m = await db().member.findUnique({ where: { teamId_userId: { teamId, userId: caller.user.id } } });
  const parsed = Role.safeParse(m?.role);
  return parsed.success ? parsed.data : null;
}

/** Checks `action` in `teamId`; `what` names the resource in the 404 message. */
export async function authorize(caller: Caller, teamId: string, action: Action, what = "not found"): Promise<Access> {
  const role = await roleIn(caller, teamId);
  if (!role) throw new AppError("not_found", what);
  if (!can(role, action)) throw new AppError("forbidden", `your role (${role}) cannot do this; it needs ${ACTION_ROLE[action]} or above`);
  return { caller, teamId, role };
}

/** The team a caller acts in when the request names none: the token's, the chosen one, or the first. */
export async function activeTeam(caller: Caller): Promise<string> {
  if (caller.tokenTeamId) {
    if (caller.explicitTeam && caller.preferredTeamId !== caller.tokenTeamId) throw new AppError("not_found", "team not found");
    return caller.tokenTeamId;
  }
  const memberships = await db().member.findMany({ where: { userId: caller.user.id }, orderBy: { createdAt: "asc" } });
  if (!memberships.length) throw new AppError("forbidden", "you are not a member of any team yet: ask a team admin for an invitation link");
  const chosen = memberships.find((m) => m.teamId === caller.preferredTeamId);
  if (!chosen && caller.explicitTeam) throw new AppError("not_found", "team not found");
  return chosen?.teamId ?? memberships[0].teamId;
}

/** Loads the agent session and authorizes `action` in its team (404 when outside it). */
export async function authorizeSession(caller: Caller, sessionId: string, action: Action): Promise<Access & { sessionTeamId: string }> {
  const s = /^[a-z0-9]{6,32}$/.test(sessionId) ? await db().session.findUnique({ where: { id: sessionId }, select: { teamId: true } }) : null;
  if (!s) throw new AppError("not_found", "session not found");
  const access = await authorize(caller, s.teamId, action, "session not found");
  return { ...access, sessionTeamId: s.teamId };
}
