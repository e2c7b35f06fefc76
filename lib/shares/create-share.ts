// POST /api/sessions/:id/shares: a read-only link to the session, optionally pinned to a seq.
// The link's secret is returned once; only its SHA-256 is stored.
import crypto from "node:crypto";
import type { z } from "zod";
import { recordAudit } from "../audit/record";
import { authorizeSession } from "../auth/authorize";
import type { Caller } from "../auth/caller";
import { hashSecret, newSecret } from "../auth/tokens";
import { db } from "../db/client";
import { AppError } from "../errors";
import type { CreateShareInputSchema, ShareDto } from "../protocol/teams";
import { SHARE_PREFIX, shareUrl, toShareDto } from "./share-dto";

export type CreateShareInput = z.infer<typeof CreateShareInputSchema>;

export async function createShare(caller: Caller, sessionId: string, input: CreateShareInput): Promise<ShareDto> {
  const { teamId } = await authorizeSession(caller, sessionId, "share.create");
  const session = await db().session.findUniqueOrThrow({ where: { id: sessionId }, select: { lastSeq: true } });
  if (input.pinnedSeq !== undefined && input.pinnedSeq > session.lastSeq) {
    throw new AppError("invalid", `pinnedSeq ${input.pinnedSeq} is beyond the session's last event (${session.lastSeq})`);
  }
  const token = newSecret(SHARE_PREFIX);
  const share = await db().share.create({
    data: { id: crypto.randomUUID(), teamId, sessionId, tokenHash: hashSecret(token), pinnedSeq: input.pinnedSeq ?? null, createdById: caller.user.id },
  });
  await recordAudit({
    teamId,
    actor: caller.user,
    action: "share.created",
    targetType: "share",
    targetId: share.id,
    data: { sessionId, pinnedSeq: share.pinnedSeq },
  });
  return toShareDto(share, caller.user.name, shareUrl(token));
}
