import { z } from "zod";
import { authorizeSession } from "@/lib/auth/authorize";
import { readJson, route } from "@/lib/http/handler";
import { resolveThread } from "@/lib/review/reviews";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string; threadId: string }>(async ({ req, params, caller }) => {
  const access = await authorizeSession(caller, params.id, "session.review");
  const { resolved } = await readJson(req, z.object({ resolved: z.boolean().default(true) }));
  return resolveThread(access, params.id, params.threadId, resolved);
});
