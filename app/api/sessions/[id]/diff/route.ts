import { route } from "@/lib/http/handler";
import { readDiff } from "@/lib/sessions/read-diff";
import { callerTeam } from "@/lib/sessions/team";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ req, params }) => {
  const diff = await readDiff(await callerTeam(req), params.id);
  return new Response(diff, { headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" } });
});
