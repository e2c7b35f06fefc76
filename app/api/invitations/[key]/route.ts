// GET /api/invitations/<token>: what the link offers (works signed out).
// DELETE /api/invitations/<id>: revoke (admins of the invitation's team).
import { authorize } from "@/lib/auth/authorize";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { json, publicRoute, route } from "@/lib/http/handler";
import { describeInvitation, revokeInvitation } from "@/lib/teams/invitations";

export const dynamic = "force-dynamic";

export const GET = publicRoute<{ key: string }>(async ({ params }) => describeInvitation(params.key));

export const DELETE = route<{ key: string }>(async ({ params, caller }) => {
  const inv = await db().invitation.findUnique({ where: { id: params.key }, select: { teamId: true } });
  if (!inv) throw new AppError("not_found", "this invitation link is not in any of your teams: reload the list");
  await revokeInvitation(await authorize(caller, inv.teamId, "invite.create", "this invitation link is not in any of your teams: reload the list"), params.key);
  return json(200, { ok: true });
});
