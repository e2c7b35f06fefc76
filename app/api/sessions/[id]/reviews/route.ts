import { authorizeSession } from "@/lib/auth/authorize";
import { recordAudit } from "@/lib/audit/record";
import { json, readJson, route } from "@/lib/http/handler";
import { CreateReviewInputSchema } from "@/lib/protocol/review";
import { reviewSummary, submitReview } from "@/lib/review/reviews";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => reviewSummary(await authorizeSession(caller, params.id, "session.read"), params.id));

export const POST = route<{ id: string }>(async ({ req, params, caller }) => {
  const access = await authorizeSession(caller, params.id, "session.review");
  const input = await readJson(req, CreateReviewInputSchema);
  const { reviewId, state } = await submitReview(access, params.id, input);
  await recordAudit({ teamId: access.teamId, actor: caller.user, action: "review.submitted", targetType: "session", targetId: params.id, data: { verdict: input.verdict, comments: input.comments.length } });
  return json(201, { review: { id: reviewId, verdict: input.verdict }, state });
});
