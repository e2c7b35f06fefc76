import { activeTeam, authorize } from "@/lib/auth/authorize";
import { readJson, route } from "@/lib/http/handler";
import { getPrefs, setPrefs } from "@/lib/notifications/prefs";
import { NotificationPrefsSchema } from "@/lib/protocol/permissions";

export const dynamic = "force-dynamic";

/** The caller's notification settings in their active team (defaults until saved). */
export const GET = route(async ({ caller }) => {
  const { teamId } = await authorize(caller, await activeTeam(caller), "team.read", "team not found");
  return getPrefs(caller.user.id, teamId);
});

export const PUT = route(async ({ req, caller }) => {
  const { teamId } = await authorize(caller, await activeTeam(caller), "team.read", "team not found");
  return setPrefs(caller.user.id, teamId, await readJson(req, NotificationPrefsSchema));
});
