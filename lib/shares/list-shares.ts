// GET /api/sessions/:id/shares: the session's links, newest first, revoked ones included.
// Their URLs are not recoverable (only hashes are stored), so none is returned.
import { authorizeSession } from "../auth/authorize";
import type { Caller } from "../auth/caller";
import { db } from "../db/client";
import type { ShareDto } from "../protocol/teams";
import { creatorNames, toShareDto } from "./share-dto";

export async function listShares(caller: Caller, sessionId: string): Promise<{ shares: ShareDto[] }> {
  await authorizeSession(caller, sessionId, "session.read");
  const rows = await db().share.findMany({ where: { sessionId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  const names = await creatorNames(rows);
  return { shares: rows.map((s) => toShareDto(s, names.get(s.createdById) ?? null)) };
}
