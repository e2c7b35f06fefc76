import { authorizeSession } from "@/lib/auth/authorize";
import { json, route } from "@/lib/http/handler";
import { runtime } from "@/lib/runtime/boot";
import { retrySession } from "@/lib/sessions/retry-session";

export const dynamic = "force-dynamic";

/** Resumes a session that needs attention (a model error, a raised budget, a failure). */
export const POST = route<{ id: string }>(async ({ params, caller }) => {
  const { teamId } = await authorizeSession(caller, params.id, "session.message");
  await retrySession(runtime().orchestrator, teamId, params.id, caller.user);
  return json(202, { ok: true });
});
