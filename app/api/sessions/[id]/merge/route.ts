import { authorizeSession } from "@/lib/auth/authorize";
import { json, readJson, route } from "@/lib/http/handler";
import { MergeInputSchema } from "@/lib/protocol/review";
import { latestMerge } from "@/lib/review/merge-job";
import { mergeSession } from "@/lib/review/session-ops";

export const dynamic = "force-dynamic";

/**
 * 202 at once with the merge (a background job; GET follows it); 409 when there is nothing to
 * merge, it is merged, a merge already runs, the agent works, the review needs an override, or it
 * conflicts (naming the files; nothing changed).
 */
export const POST = route<{ id: string }>(async ({ req, params, caller }) => {
  const access = await authorizeSession(caller, params.id, "session.review");
  const { strategy, overrideReason } = await readJson(req, MergeInputSchema);
  return json(202, { merge: await mergeSession(access, params.id, strategy, overrideReason) });
});

/** The session's latest merge: its step and counts while it runs, then the merged sha or why it failed. */
export const GET = route<{ id: string }>(async ({ params, caller }) => {
  const access = await authorizeSession(caller, params.id, "session.read");
  return { merge: await latestMerge(access.teamId, params.id) };
});
