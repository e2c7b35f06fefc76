import { authorize } from "@/lib/auth/authorize";
import { json, readJson, route } from "@/lib/http/handler";
import { createWebhook, listWebhooks } from "@/lib/notifications/webhooks";
import { WebhookCreateSchema } from "@/lib/protocol/permissions";

export const dynamic = "force-dynamic";

/** The team's webhooks with their last 20 deliveries (never the secret). */
export const GET = route<{ id: string }>(async ({ params, caller }) => listWebhooks(await authorize(caller, params.id, "settings.manage", "team not found")));

/** Adds a webhook; the answer carries its secret, shown this once. */
export const POST = route<{ id: string }>(async ({ req, params, caller }) => {
  const access = await authorize(caller, params.id, "settings.manage", "team not found");
  return json(201, await createWebhook(access, await readJson(req, WebhookCreateSchema)));
});
