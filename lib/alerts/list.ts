// The team's open alerts for the "Needs attention" view (GET /api/alerts).
import { db } from "../db/client";
import { AlertKind, type AlertDto } from "../protocol/alerts";

const LIMIT = 100;

/** Open alerts of the team, newest first (at most 100: more is a list nobody reads). */
export async function listOpenAlerts(teamId: string): Promise<{ alerts: AlertDto[] }> {
  const rows = await db().alert.findMany({ where: { teamId, resolvedAt: null }, orderBy: [{ createdAt: "desc" }, { id: "asc" }], take: LIMIT });
  return {
    alerts: rows.flatMap((r) => {
      const kind = AlertKind.safeParse(r.kind);
      if (!kind.success) return [];
      return [{ id: r.id, kind: kind.data, sessionId: r.sessionId, routineId: r.routineId, title: r.title, message: r.message, createdAt: r.createdAt.toISOString() }];
    }),
  };
}
