import { json, route } from "@/lib/http/handler";
import { runtime } from "@/lib/runtime/boot";
import { callerTeam } from "@/lib/sessions/team";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(async ({ req, params }) => {
  await runtime().orchestrator.stop(await callerTeam(req), params.id);
  return json(202, { ok: true });
});
