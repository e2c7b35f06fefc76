import { authorizeSession } from "@/lib/auth/authorize";
import { json, route } from "@/lib/http/handler";
import { runtime } from "@/lib/runtime/boot";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(async ({ params, caller }) => {
  const { teamId } = await authorizeSession(caller, params.id, "session.stop");
  await runtime().orchestrator.stop(teamId, params.id, caller.user);
  return json(202, { ok: true });
});
