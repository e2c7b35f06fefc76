// The team's sessions, newest first, paginated by an opaque cursor.
import { z } from "zod";
import { db } from "../db/client";
import { SessionStatus } from "../events/schema";
import type { SessionDto } from "../protocol/api";
import { toDto } from "./dto";

export const ListSessionsQuerySchema = z.object({
  status: SessionStatus.optional(),
  repo: z.string().max(2000).optional(),
  cursor: z.string().regex(/^[a-z0-9]{6,32}$/, "cursor is not valid").optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListSessionsQuery = z.infer<typeof ListSessionsQuerySchema>;

export async function listSessions(teamId: string, q: ListSessionsQuery): Promise<{ sessions: SessionDto[]; nextCursor: string | null }> {
  const rows = await db().session.findMany({
    where: { teamId, status: q.status, repo: q.repo },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
    ...(q.cursor ? { cursor: { id: q.cursor }, skip: 0 } : {}),
  });
  const page = rows.slice(0, q.limit);
  return { sessions: page.map(toDto), nextCursor: rows.length > q.limit ? rows[q.limit].id : null };
}
