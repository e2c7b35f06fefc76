// Share rows to the API shape (ShareDto), with the creator's display name.
import { env } from "../config/env";
import { db } from "../db/client";
import type { Share } from "../db/generated/client";
import type { ShareDto } from "../protocol/teams";

export const SHARE_PREFIX = "shr_";

/** The page that opens a share link; the token is only known when the share is created. */
export const shareUrl = (token: string) => `${env().publicUrl.replace(/\/+$/, "")}/share/${token}`;

export function toShareDto(s: Share, createdBy: string | null, url?: string): ShareDto {
  return {
    id: s.id,
    sessionId: s.sessionId,
    pinnedSeq: s.pinnedSeq,
    createdAt: s.createdAt.toISOString(),
    revokedAt: s.revokedAt?.toISOString() ?? null,
    createdBy,
    ...(url ? { url } : {}),
  };
}

/** Display names of share creators (shares keep the id only, so a deleted user reads as null). */
export async function creatorNames(shares: Share[]): Promise<Map<string, string>> {
  const ids = [...new Set(shares.map((s) => s.createdById))];
  if (!ids.length) return new Map();
  const users = await db().user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
  return new Map(users.map((u) => [u.id, u.name]));
}
