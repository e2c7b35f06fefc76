// The team's environment defaults: egress policy, repository scripts allowed or not, team-wide
// secrets (names only). Changed through PATCH /api/teams/:id.
import { authorize } from "@/lib/auth/authorize";
import { route } from "@/lib/http/handler";
import { teamEnvironment } from "@/lib/teams/team-environment";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => {
  const access = await authorize(caller, params.id, "team.read", "team not found");
  return teamEnvironment(access.teamId);
});
