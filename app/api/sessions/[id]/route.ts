import { authorizeSession } from "@/lib/auth/authorize";
import { can } from "@/lib/auth/roles";
import { AppError } from "@/lib/errors";
import { readJson, route } from "@/lib/http/handler";
import { UpdateSessionInputSchema } from "@/lib/protocol/api";
import { runtime } from "@/lib/runtime/boot";
import { deleteSession } from "@/lib/sessions/delete-session";
import { getSession, toDto } from "@/lib/sessions/dto";
import { updateSession } from "@/lib/sessions/update-session";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => {
  const { teamId } = await authorizeSession(caller, params.id, "session.read");
  return toDto(await getSession(teamId, params.id));
});

// Whoever may message a session may change its budget (the person steering it decides what it
// may spend); its permission mode needs session.approve (whoever may approve its tool calls).
export const PATCH = route<{ id: string }>(async ({ req, params, caller }) => {
  const access = await authorizeSession(caller, params.id, "session.message");
  const input = await readJson(req, UpdateSessionInputSchema);
  if (input.mode !== undefined && !can(access.role, "session.approve")) throw new AppError("forbidden", `your role (${access.role}) cannot change a session's permission mode`);
  const orchestrator = runtime().orchestrator;
  const session = await updateSession(access, params.id, input, orchestrator);
  // List and page watchers see the new budget and mode.
  await orchestrator.refresh(params.id);
  return session;
});

// Its creator, admins and owners (other members 403, outsiders 404): the sandbox, the files and
// the rows go; the audit entry stays. 409 while a host git command (merge, push) works in it.
export const DELETE = route<{ id: string }>(async ({ params, caller }) => {
  const access = await authorizeSession(caller, params.id, "session.stop");
  await deleteSession(access, params.id, runtime().orchestrator);
  return new Response(null, { status: 204 });
});
