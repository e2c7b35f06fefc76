import { authorizeSession } from "@/lib/auth/authorize";
import { readJson, route } from "@/lib/http/handler";
import { MergeInputSchema } from "@/lib/protocol/review";
import { mergeSession } from "@/lib/review/session-ops";

export const dynamic = "force-dynamic";

/** 200 with the new base head, or 409 naming the conflicting files (nothing changed). */
export const POST = route<{ id: string }>(async ({ req, params, caller }) => {
  const access = await authorizeSession(caller, params.id, "session.review");
  const { strategy } = await readJson(req, MergeInputSchema);
  return mergeSession(access, params.id, strategy);
});
