import { authorizeSession } from "@/lib/auth/authorize";
import { readJson, route } from "@/lib/http/handler";
import { UpdateSessionInputSchema } from "@/lib/protocol/api";
import { runtime } from "@/lib/runtime/boot";
import { getSession, toDto } from "@/lib/sessions/dto";
import { updateSession } from "@/lib/sessions/update-session";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => {
  const { teamId } = await authorizeSession(caller, params.id, "session.read");
  return toDto(await getSession(teamId, params.id));
});

// Whoever may message a session may change its budget (the person steering it decides what it may spend).
export const PATCH = route<{ id: string }>(async ({ req, params, caller }) => {
  const access = await authorizeSession(caller, params.id, "session.message");
  const session = await updateSession(access, params.id, await readJson(req, UpdateSessionInputSchema));
  // List and page watchers see the new budget.
  await runtime().orchestrator.refresh(params.id);
  return session;
});
