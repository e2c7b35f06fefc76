// GET /api/share-links/:token: what a share link shows, read-only. Unknown and revoked links are
// 404. When the team does not allow public links, an anonymous visitor is asked to sign in (401)
// and a signed-in non-member gets 404, as for anything else of a team one is not in.
import { z } from "zod";
import { roleIn } from "../auth/authorize";
import type { Caller } from "../auth/caller";
import { hashSecret } from "../auth/tokens";
import { db } from "../db/client";
import type { SessionEvent } from "../events/schema";
import { readEvents } from "../events/store";
import { AppError, notFound } from "../errors";
import type { SessionDto } from "../protocol/api";
import { getSession, toDto } from "../sessions/dto";
import { sessionAsOf } from "./session-as-of";
import { SHARE_PREFIX } from "./share-dto";

export const SharedSessionQuerySchema = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export type SharedSessionQuery = z.infer<typeof SharedSessionQuerySchema>;

export interface SharedSession {
  session: SessionDto;
  events: SessionEvent[];
  pinnedSeq: number | null;
  readOnly: true;
  /** More events follow the last one returned: ask again with `after` = its seq. */
  hasMore: boolean;
}

export async function viewSharedSession(caller: Caller | null, token: string, page: SharedSessionQuery): Promise<SharedSession> {
  const share = token.startsWith(SHARE_PREFIX) && token.length <= 200
    ? await db().share.findUnique({ where: { tokenHash: hashSecret(token) }, include: { team: { select: { allowPublicLinks: true } } } })
    : null;
  if (!share || share.revokedAt) throw notFound("shared session");
  if (!share.team.allowPublicLinks) {
    if (!caller) throw new AppError("unauthorized", "sign in to view this shared session");
    if (!(await roleIn(caller, share.teamId))) throw notFound("shared session");
  }
  const current = toDto(await getSession(share.teamId, share.sessionId));
  const session = share.pinnedSeq === null ? current : await sessionAsOf(current, share.pinnedSeq);
  // Sequence numbers are gapless, so stopping at the pin is a matter of how many to read.
  const end = session.lastSeq;
  const events = page.after < end ? await readEvents(share.sessionId, page.after, Math.min(page.limit, end - page.after)) : [];
  const last = events.length ? events[events.length - 1].seq : page.after;
  return { session, events, pinnedSeq: share.pinnedSeq, readOnly: true, hasMore: last < end };
}
