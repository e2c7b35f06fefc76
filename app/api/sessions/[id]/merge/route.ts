import { authorizeSession } from "@/lib/auth/authorize";
import { readJson, route } from "@/lib/http/handler";
import { MergeInputSchema } from "@/lib/protocol/review";
import { mergeSession } from "@/lib/review/session-ops";

export const dynamic = "force-dynamic";

/** 200 with the new base head; 409 when there is nothing to merge, it is merged, the agent works, the review needs an override, or it conflicts (naming the files; nothing changed). */
export const POST = route<{ id: string }>(async ({ req, params, caller }) => {
  const access = await authorizeSession(caller, params.id, "session.review");
  const { strategy, overrideReason } = await readJson(req, MergeInputSchema);
  return mergeSession(access, params.id, strategy, overrideReason);
});
