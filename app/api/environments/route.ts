// The active team's cached environments, all repositories (Settings → Environments).
import { activeTeam, authorize } from "@/lib/auth/authorize";
import { listEnvironments } from "@/lib/environments/snapshots";
import { route } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

export const GET = route(async ({ caller }) => {
  const access = await authorize(caller, await activeTeam(caller), "team.read");
  return listEnvironments(access.teamId);
});
