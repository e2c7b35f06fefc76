import { authorize } from "@/lib/auth/authorize";
import { json, readJson, route } from "@/lib/http/handler";
import { ChangeRoleInputSchema } from "@/lib/protocol/teams";
import { changeRole, removeMember } from "@/lib/teams/members";

export const dynamic = "force-dynamic";

type P = { id: string; userId: string };

export const PATCH = route<P>(async ({ req, params, caller }) => {
  const access = await authorize(caller, params.id, "member.manage", "team not found");
  const { role } = await readJson(req, ChangeRoleInputSchema);
  return changeRole(access, params.userId, role);
});

/** Admins remove others; anyone may leave (remove themselves). */
export const DELETE = route<P>(async ({ params, caller }) => {
  const self = params.userId === caller.user.id;
  const access = await authorize(caller, params.id, self ? "team.read" : "member.manage", "team not found");
  await removeMember(access, params.userId);
  return json(200, { ok: true });
});
