import { authorizeSession } from "@/lib/auth/authorize";
import { json, readJson, route } from "@/lib/http/handler";
import { SendMessageInputSchema } from "@/lib/protocol/api";
import { runtime } from "@/lib/runtime/boot";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(async ({ req, params, caller }) => {
  const { teamId } = await authorizeSession(caller, params.id, "session.message");
  const { text } = await readJson(req, SendMessageInputSchema);
  await runtime().orchestrator.sendMessage(teamId, params.id, text, caller.user);
  return json(202, { ok: true });
});
