import { authorizeSession } from "@/lib/auth/authorize";
import { hostRepoPath } from "@/lib/git/host-repo";
import { route } from "@/lib/http/handler";
import { formatPatch } from "@/lib/review/git-read";
import { getSession } from "@/lib/sessions/dto";

export const dynamic = "force-dynamic";

/** The branch as a patch series (git format-patch), for `git am`. */
export const GET = route<{ id: string }>(async ({ params, caller }) => {
  const { teamId } = await authorizeSession(caller, params.id, "session.read");
  const s = await getSession(teamId, params.id);
  const patch = s.baseCommit ? await formatPatch(hostRepoPath(s.id), s.baseCommit, s.branch) : "";
  return new Response(patch, {
    headers: { "content-type": "text/x-patch; charset=utf-8", "content-disposition": `attachment; filename="dockside-${s.id}.patch"`, "x-content-type-options": "nosniff" },
  });
});
