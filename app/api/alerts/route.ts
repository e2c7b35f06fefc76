// The active team's open alerts, newest first (the home page's "Needs attention").
import { activeTeam, authorize } from "@/lib/auth/authorize";
import { listOpenAlerts } from "@/lib/alerts/list";
import { route } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

export const GET = route(async ({ caller }) => {
  const { teamId } = await authorize(caller, await activeTeam(caller), "session.read");
  return listOpenAlerts(teamId);
});
