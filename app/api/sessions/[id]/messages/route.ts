import { json, readJson, route } from "@/lib/http/handler";
import { SendMessageInputSchema } from "@/lib/protocol/api";
import { runtime } from "@/lib/runtime/boot";
import { callerTeam } from "@/lib/sessions/team";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(async ({ req, params }) => {
  const { text } = await readJson(req, SendMessageInputSchema);
  await runtime().orchestrator.sendMessage(await callerTeam(req), params.id, text);
  return json(202, { ok: true });
});
