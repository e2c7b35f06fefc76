import { json, readJson, readQuery, route } from "@/lib/http/handler";
import { CreateSessionInputSchema } from "@/lib/protocol/api";
import { runtime } from "@/lib/runtime/boot";
import { listSessions, ListSessionsQuerySchema } from "@/lib/sessions/list-sessions";
import { callerTeam } from "@/lib/sessions/team";

export const dynamic = "force-dynamic";

export const GET = route(async ({ req }) => listSessions(await callerTeam(req), readQuery(req, ListSessionsQuerySchema)));

export const POST = route(async ({ req }) => {
  const input = await readJson(req, CreateSessionInputSchema);
  const session = await runtime().orchestrator.createSession(await callerTeam(req), input);
  return json(201, session);
});
