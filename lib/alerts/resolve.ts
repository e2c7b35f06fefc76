// Closing alerts: by Dockside when what they said is over (the session ended, a stalled session
// moved again), by a person for the rest (POST /api/alerts/:id/resolve).
import { Prisma } from "../db/generated/client";
import { authorize, type Access } from "../auth/authorize";
import type { Caller } from "../auth/caller";
import { recordAudit } from "../audit/record";
import { db } from "../db/client";
import { AppError } from "../errors";
import { TERMINAL_STATUSES } from "../events/status";
import type { AlertKind } from "../protocol/alerts";

/**
 * The kinds that are about a session's sandbox and end with it. A check routine's `attention`
 * outlives the run that found it: a person reads and resolves it.
 */
export const SESSION_KINDS: AlertKind[] = ["stuck", "looping", "budget", "memory", "disk"];

/** Resolves a session's open alerts of `kinds` (all but `exceptKey`, the episode still going on). */
export async function resolveSessionAlerts(sessionId: string, kinds: AlertKind[], exceptKey?: string): Promise<number> {
  const { count } = await db().alert.updateMany({
    where: { sessionId, resolvedAt: null, kind: { in: kinds }, ...(exceptKey ? { key: { not: exceptKey } } : {}) },
    data: { resolvedAt: new Date() },
  });
  return count;
}

/** Resolves the sandbox alerts of sessions that have ended (stopped or failed), in one team or all. */
export async function resolveEndedSessions(teamId?: string): Promise<number> {
  return db().$executeRaw`
    UPDATE alerts SET resolved_at = now()
    WHERE resolved_at IS NULL AND kind IN (${Prisma.join(SESSION_KINDS)})
      ${teamId ? Prisma.sql`AND team_id = ${teamId}` : Prisma.empty}
      AND session_id IN (SELECT id FROM sessions WHERE status IN (${Prisma.join([...TERMINAL_STATUSES])}))`;
}

const ALERT_ID = /^[0-9a-f-]{36}$/;

/** A person resolves an alert of their team (alert.resolve); resolving a resolved one changes nothing. */
export async function resolveAlertAs(caller: Caller, alertId: string): Promise<{ id: string; resolvedAt: string }> {
  const alert = ALERT_ID.test(alertId) ? await db().alert.findUnique({ where: { id: alertId }, select: { id: true, teamId: true, kind: true, title: true } }) : null;
  if (!alert) throw new AppError("not_found", "alert not found");
  const access = await authorize(caller, alert.teamId, "alert.resolve", "alert not found");
  return resolveAlert(access, alert);
}

async function resolveAlert(access: Access, alert: { id: string; kind: string; title: string }): Promise<{ id: string; resolvedAt: string }> {
  const now = new Date();
  const { count } = await db().alert.updateMany({ where: { id: alert.id, resolvedAt: null }, data: { resolvedAt: now, resolvedBy: access.caller.user.id } });
  if (count) {
    await recordAudit({ teamId: access.teamId, actor: access.caller.user, action: "alert.resolved", targetType: "alert", targetId: alert.id, data: { kind: alert.kind, title: alert.title } });
    return { id: alert.id, resolvedAt: now.toISOString() };
  }
  const row = await db().alert.findUniqueOrThrow({ where: { id: alert.id }, select: { resolvedAt: true } });
  return { id: alert.id, resolvedAt: (row.resolvedAt ?? now).toISOString() };
}
