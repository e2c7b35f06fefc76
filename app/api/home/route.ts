// The home page's summary: what needs the person in the active team (any member, viewers too).
import { activeTeam, authorize } from "@/lib/auth/authorize";
import { homeSummary } from "@/lib/home/summary";
import { readQuery, route } from "@/lib/http/handler";
import { HomeQuerySchema } from "@/lib/protocol/home";

export const dynamic = "force-dynamic";

export const GET = route(async ({ req, caller }) => {
  const { teamId } = await authorize(caller, await activeTeam(caller), "session.read");
  return homeSummary(teamId, caller.user.id, readQuery(req, HomeQuerySchema).scope);
});
