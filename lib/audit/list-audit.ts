// GET /api/audit: the team's audit trail, newest first, in keyset pages, targets named (audit-targets.ts).
import { z } from "zod";
import { db } from "../db/client";
import { decodeCursor, encodeCursor, invalidCursor } from "../history/cursor";
import type { AuditEntryDto } from "../protocol/teams";
import { resolveAuditTargets } from "./audit-targets";

export const AuditQuerySchema = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

export async function listAudit(teamId: string, q: AuditQuery): Promise<{ entries: AuditEntryDto[]; nextCursor: string | null }> {
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  if (after && !/^\d{1,19}$/.test(after.id)) throw invalidCursor();
  const rows = await db().auditEntry.findMany({
    where: {
      teamId,
      ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: BigInt(after.id) } }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const entries = page.map((r) => ({ ...r, data: (r.data ?? {}) as Record<string, unknown> }));
  const targets = await resolveAuditTargets(teamId, entries);
  return {
    entries: entries.map((r, i) => ({
      id: r.id.toString(),
      action: r.action,
      actorName: r.actorName,
      actorId: r.actorId,
      targetType: r.targetType,
      targetId: r.targetId,
      target: targets[i],
      data: r.data,
      createdAt: r.createdAt.toISOString(),
    })),
    nextCursor: rows.length > q.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id.toString() }) : null,
  };
}
