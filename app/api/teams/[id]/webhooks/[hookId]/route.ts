import { authorize } from "@/lib/auth/authorize";
import { json, route } from "@/lib/http/handler";
import { deleteWebhook } from "@/lib/notifications/webhooks";

export const dynamic = "force-dynamic";

export const DELETE = route<{ id: string; hookId: string }>(async ({ params, caller }) => {
  const access = await authorize(caller, params.id, "settings.manage", "team not found");
  await deleteWebhook(access, params.hookId);
  return json(200, { ok: true });
});
