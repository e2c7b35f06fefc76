// A person's notification settings in a team: which events, for which sessions, and whether the
// browser shows them. Absent (or unreadable): DEFAULT_NOTIFICATION_PREFS.
import { db } from "../db/client";
import { DEFAULT_NOTIFICATION_PREFS, NotificationPrefsSchema, type NotificationPrefs } from "../protocol/permissions";

export function parsePrefs(raw: unknown): NotificationPrefs {
  const parsed = NotificationPrefsSchema.safeParse(raw);
  return parsed.success ? parsed.data : { ...DEFAULT_NOTIFICATION_PREFS, events: [...DEFAULT_NOTIFICATION_PREFS.events] };
}

export async function getPrefs(userId: string, teamId: string): Promise<NotificationPrefs> {
  const row = await db().notificationPref.findUnique({ where: { userId_teamId: { userId, teamId } } });
  return parsePrefs(row?.prefs);
}

export async function setPrefs(userId: string, teamId: string, prefs: NotificationPrefs): Promise<NotificationPrefs> {
  const clean = NotificationPrefsSchema.parse({ ...prefs, events: [...new Set(prefs.events)] });
  await db().notificationPref.upsert({ where: { userId_teamId: { userId, teamId } }, create: { userId, teamId, prefs: clean }, update: { prefs: clean } });
  return clean;
}

/** Every member's prefs in a team (defaults for those without a row). */
export async function teamPrefs(teamId: string, userIds: string[]): Promise<Map<string, NotificationPrefs>> {
  const rows = await db().notificationPref.findMany({ where: { teamId, userId: { in: userIds } } });
  const byUser = new Map(rows.map((r) => [r.userId, parsePrefs(r.prefs)]));
  return new Map(userIds.map((id) => [id, byUser.get(id) ?? parsePrefs(undefined)]));
}
