import { authorizeSession } from "@/lib/auth/authorize";
import { json, readJson, route } from "@/lib/http/handler";
import { ForkInputSchema } from "@/lib/protocol/review";
import { forkSession } from "@/lib/review/session-ops";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(async ({ req, params, caller }) => {
  const access = await authorizeSession(caller, params.id, "session.create");
  const { sha, prompt } = await readJson(req, ForkInputSchema);
  return json(201, await forkSession(access, params.id, sha, prompt));
});
