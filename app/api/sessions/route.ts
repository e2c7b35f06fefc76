import { activeTeam, authorize } from "@/lib/auth/authorize";
import { json, readJson, readQuery, route } from "@/lib/http/handler";
import { CreateSessionInputSchema } from "@/lib/protocol/api";
import { runtime } from "@/lib/runtime/boot";
import { ListSessionsQuerySchema } from "@/lib/history/query";
import { listSessions } from "@/lib/sessions/list-sessions";

export const dynamic = "force-dynamic";

export const GET = route(async ({ req, caller }) => {
  const { teamId } = await authorize(caller, await activeTeam(caller), "session.read");
  return listSessions(teamId, readQuery(req, ListSessionsQuerySchema));
});

export const POST = route(async ({ req, caller }) => {
  const { teamId } = await authorize(caller, await activeTeam(caller), "session.create");
  const input = await readJson(req, CreateSessionInputSchema);
  const session = await runtime().orchestrator.createSession(teamId, input, caller.user);
  return json(201, session);
});
