import { authorizeSession } from "@/lib/auth/authorize";
import { hostRepoPath } from "@/lib/git/host-repo";
import { readQuery, route } from "@/lib/http/handler";
import { DiffQuerySchema } from "@/lib/protocol/review";
import { cachedPage, cachedRange, indexWithLead } from "@/lib/review/diff-pages";
import { diffJson, diffText } from "@/lib/review/git-read";
import { getSession } from "@/lib/sessions/dto";

export const dynamic = "force-dynamic";

/**
 * The session branch against its base, or any range of its checkpoints; text or `format=json`.
 * A large review asks for `view=index` (files, the first few with hunks) first, then pages
 * (`offset`, `limit`), served from one read of the range (lib/review/diff-pages).
 */
export const GET = route<{ id: string }>(async ({ req, params, caller }) => {
  const { teamId } = await authorizeSession(caller, params.id, "session.read");
  const s = await getSession(teamId, params.id);
  const q = readQuery(req, DiffQuerySchema);
  const text = (body: string) => new Response(body, { headers: { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" } });
  const paged = q.offset !== undefined || q.limit !== undefined;
  if (!s.baseCommit) {
    if (q.format !== "json") return text("");
    return paged ? { from: "", to: "", offset: q.offset ?? 0, files: [] } : { from: "", to: "", files: [], truncated: false };
  }
  const ws = hostRepoPath(s.id);
  const { from, to } = await cachedRange(ws, s.baseCommit, s.branch, q.from, q.to);
  if (q.format !== "json") return text(await diffText(ws, from, to));
  if (paged) return cachedPage(ws, from, to, q.offset ?? 0, q.limit ?? 50, q.full === "1");
  return q.view === "index" ? indexWithLead(ws, from, to) : diffJson(ws, from, to);
});
