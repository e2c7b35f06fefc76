// A person's notifications in one team: the newest 50 and the unread count; marking them read.
import { db } from "../db/client";
import { NotificationEvent, type NotificationDto } from "../protocol/permissions";

export const INBOX_SIZE = 50;

type Row = { id: string; event: string; sessionId: string | null; title: string; body: string; createdAt: Date; readAt: Date | null };

export function toNotificationDto(r: Row): NotificationDto {
  const event = NotificationEvent.safeParse(r.event);
  return {
    id: r.id,
    event: event.success ? event.data : "session.idle",
    sessionId: r.sessionId,
    title: r.title,
    body: r.body,
    createdAt: r.createdAt.toISOString(),
    readAt: r.readAt?.toISOString() ?? null,
  };
}

export async function listNotifications(userId: string, teamId: string): Promise<{ notifications: NotificationDto[]; unread: number }> {
  const [rows, unread] = await Promise.all([
    db().notification.findMany({ where: { userId, teamId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: INBOX_SIZE }),
    db().notification.count({ where: { userId, teamId, readAt: null } }),
  ]);
  return { notifications: rows.map(toNotificationDto), unread };
}

/** Marks `ids` (only the caller's own, in this team) or all of them read; answers the new unread count. */
export async function markRead(userId: string, teamId: string, ids?: string[]): Promise<{ updated: number; unread: number }> {
  const { count } = await db().notification.updateMany({ where: { userId, teamId, readAt: null, ...(ids ? { id: { in: ids } } : {}) }, data: { readAt: new Date() } });
  return { updated: count, unread: await db().notification.count({ where: { userId, teamId, readAt: null } }) };
}
