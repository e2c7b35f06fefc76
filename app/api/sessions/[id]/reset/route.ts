import { authorizeSession } from "@/lib/auth/authorize";
import { readJson, route } from "@/lib/http/handler";
import { ResetInputSchema } from "@/lib/protocol/review";
import { resetSession } from "@/lib/review/session-ops";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(async ({ req, params, caller }) => {
  const access = await authorizeSession(caller, params.id, "session.review");
  const { sha } = await readJson(req, ResetInputSchema);
  return resetSession(access, params.id, sha);
});
