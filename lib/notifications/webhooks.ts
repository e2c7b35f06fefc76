// A team's outgoing webhooks: created by admins (the URL checked, the HMAC secret sealed at rest
// and shown once), listed with their last deliveries, removed. Events become WebhookDelivery rows
// (enqueueWebhooks); delivery.ts sends them.
import crypto from "node:crypto";
import type { Access } from "../auth/authorize";
import { db } from "../db/client";
import { AppError } from "../errors";
import type { NotificationEvent, WebhookCreate, WebhookDto } from "../protocol/permissions";
import { seal } from "../review/credentials";
import { kickWebhookDelivery } from "./delivery";
import { checkWebhookUrl, type UrlCheckOptions } from "./webhook-url";
import { recordAudit } from "../audit/record";

export const MAX_WEBHOOKS_PER_TEAM = 20;
export const LISTED_DELIVERIES = 20;

/** What a receiver gets (the JSON body; X-Dockside-Signature signs exactly these bytes). */
export interface WebhookPayload {
  event: NotificationEvent;
  sessionId: string | null;
  teamId: string;
  title: string;
  body: string;
  /** The session's page (null for events without a session). */
  url: string | null;
  at: string;
}

export async function createWebhook(access: Access, input: WebhookCreate, opts: UrlCheckOptions = {}): Promise<{ id: string; secret: string }> {
  const checked = await checkWebhookUrl(input.url, opts);
  const count = await db().webhook.count({ where: { teamId: access.teamId } });
  if (count >= MAX_WEBHOOKS_PER_TEAM) throw new AppError("conflict", `a team may have at most ${MAX_WEBHOOKS_PER_TEAM} webhooks; remove one first`);
  const id = crypto.randomUUID();
  const secret = input.secret ?? crypto.randomBytes(32).toString("hex");
  const events = input.events.includes("*") ? ["*"] : [...new Set(input.events)];
  await db().webhook.create({ data: { id, teamId: access.teamId, url: checked.url.href, events, sealed: seal(secret) } });
  // The audit names the URL and events, never the secret.
  await recordAudit({ teamId: access.teamId, actor: access.caller.user, action: "webhook.created", targetType: "webhook", targetId: id, data: { url: checked.url.href, events } });
  return { id, secret };
}

export async function listWebhooks(access: Access): Promise<{ webhooks: WebhookDto[] }> {
  const rows = await db().webhook.findMany({
    where: { teamId: access.teamId },
    orderBy: { createdAt: "asc" },
    include: { deliveries: { orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: LISTED_DELIVERIES } },
  });
  return {
    webhooks: rows.map((w) => ({
      id: w.id,
      url: w.url,
      events: w.events,
      createdAt: w.createdAt.toISOString(),
      deliveries: w.deliveries.map((d) => ({
        id: d.id,
        event: d.event,
        status: d.status === "delivered" || d.status === "failed" ? d.status : "pending",
        attempts: d.attempts,
        lastStatus: d.lastStatus,
        lastError: d.lastError,
        createdAt: d.createdAt.toISOString(),
        nextAttemptAt: d.status === "pending" ? (d.nextAttemptAt?.toISOString() ?? null) : null,
      })),
    })),
  };
}

export async function deleteWebhook(access: Access, hookId: string): Promise<void> {
  const { count } = await db().webhook.deleteMany({ where: { id: hookId, teamId: access.teamId } });
  if (!count) throw new AppError("not_found", "webhook not found");
  await recordAudit({ teamId: access.teamId, actor: access.caller.user, action: "webhook.deleted", targetType: "webhook", targetId: hookId });
}

/** One pending delivery per webhook of the team that wants `payload.event` (or "*"); answers how many. */
export async function enqueueWebhooks(payload: WebhookPayload): Promise<number> {
  const hooks = await db().webhook.findMany({ where: { teamId: payload.teamId, events: { hasSome: [payload.event, "*"] } }, select: { id: true } });
  if (!hooks.length) return 0;
  const body = JSON.stringify(payload);
  await db().webhookDelivery.createMany({ data: hooks.map((h) => ({ id: crypto.randomUUID(), webhookId: h.id, event: payload.event, body, nextAttemptAt: new Date() })) });
  kickWebhookDelivery();
  return hooks.length;
}
