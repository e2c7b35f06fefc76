import { authorizeSession } from "@/lib/auth/authorize";
import { json, readJson, route } from "@/lib/http/handler";
import { ReplyInputSchema } from "@/lib/protocol/review";
import { replyToThread } from "@/lib/review/reviews";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string; threadId: string }>(async ({ req, params, caller }) => {
  const access = await authorizeSession(caller, params.id, "session.review");
  const { body } = await readJson(req, ReplyInputSchema);
  return json(201, await replyToThread(access, params.id, params.threadId, body));
});
