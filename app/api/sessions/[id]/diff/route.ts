import { authorizeSession } from "@/lib/auth/authorize";
import { route } from "@/lib/http/handler";
import { readDiff } from "@/lib/sessions/read-diff";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => {
  const { teamId } = await authorizeSession(caller, params.id, "session.read");
  const diff = await readDiff(teamId, params.id);
  return new Response(diff, { headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" } });
});
