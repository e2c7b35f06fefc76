import { authorizeSession } from "@/lib/auth/authorize";
import { hostRepoPath } from "@/lib/git/host-repo";
import { readQuery, route } from "@/lib/http/handler";
import { DiffQuerySchema } from "@/lib/protocol/review";
import { diffJson, diffText, resolveRange } from "@/lib/review/git-read";
import { getSession } from "@/lib/sessions/dto";

export const dynamic = "force-dynamic";

/** The session branch against its base, or any range of its checkpoints; text or `format=json`. */
export const GET = route<{ id: string }>(async ({ req, params, caller }) => {
  const { teamId } = await authorizeSession(caller, params.id, "session.read");
  const s = await getSession(teamId, params.id);
  const q = readQuery(req, DiffQuerySchema);
  const text = (body: string) => new Response(body, { headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" } });
  if (!s.baseCommit) return q.format === "json" ? { from: "", to: "", files: [], truncated: false } : text("");
  const ws = hostRepoPath(s.id);
  const { from, to } = await resolveRange(ws, s.baseCommit, s.branch, q.from, q.to);
  if (q.format === "json") return diffJson(ws, from, to);
  return text(await diffText(ws, from, to));
});
