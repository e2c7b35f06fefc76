import { activeTeam, authorize } from "@/lib/auth/authorize";
import { route } from "@/lib/http/handler";
import { listNotifications } from "@/lib/notifications/inbox";

export const dynamic = "force-dynamic";

/** The caller's notifications in their active team: the newest 50 and the unread count. */
export const GET = route(async ({ caller }) => {
  const { teamId } = await authorize(caller, await activeTeam(caller), "team.read", "team not found");
  return listNotifications(caller.user.id, teamId);
});
