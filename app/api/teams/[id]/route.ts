import { authorize } from "@/lib/auth/authorize";
import { json, readJson, route } from "@/lib/http/handler";
import { UpdateTeamSettingsSchema } from "@/lib/teams/team-environment";
import { deleteTeam, getTeam, updateTeam } from "@/lib/teams/teams";
import { recordAudit } from "@/lib/audit/record";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => getTeam(await authorize(caller, params.id, "team.read", "team not found")));

export const PATCH = route<{ id: string }>(async ({ req, params, caller }) => {
  const access = await authorize(caller, params.id, "settings.manage", "team not found");
  return updateTeam(access, await readJson(req, UpdateTeamSettingsSchema));
});

export const DELETE = route<{ id: string }>(async ({ params, caller }) => {
  const access = await authorize(caller, params.id, "team.delete", "team not found");
  await recordAudit({ teamId: access.teamId, actor: caller.user, action: "team.deleted", targetType: "team", targetId: access.teamId });
  await deleteTeam(access);
  return json(200, { ok: true });
});
