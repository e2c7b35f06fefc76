// DELETE /api/shares/:id: revokes a link for good. Idempotent; outside the share's team it
// does not exist (404).
import { recordAudit } from "../audit/record";
import { authorize } from "../auth/authorize";
import type { Caller } from "../auth/caller";
import { db } from "../db/client";
import { notFound } from "../errors";
import type { ShareDto } from "../protocol/teams";
import { creatorNames, toShareDto } from "./share-dto";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function revokeShare(caller: Caller, shareId: string): Promise<ShareDto> {
  const share = UUID.test(shareId) ? await db().share.findUnique({ where: { id: shareId } }) : null;
  if (!share) throw notFound("share");
  await authorize(caller, share.teamId, "share.revoke", "share not found");
  const revoked = share.revokedAt ? share : await db().share.update({ where: { id: share.id }, data: { revokedAt: new Date() } });
  if (!share.revokedAt) {
    await recordAudit({ teamId: share.teamId, actor: caller.user, action: "share.revoked", targetType: "share", targetId: share.id, data: { sessionId: share.sessionId } });
  }
  const names = await creatorNames([revoked]);
  return toShareDto(revoked, names.get(revoked.createdById) ?? null);
}
