import { revokeApiToken } from "@/lib/auth/tokens";
import { json, route } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

/** Revokes one of the caller's own tokens (someone else's is "not found"). */
export const DELETE = route<{ id: string }>(async ({ params, caller }) => {
  await revokeApiToken(params.id, caller.user.id);
  return json(200, { ok: true });
});
