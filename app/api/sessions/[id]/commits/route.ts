import { authorizeSession } from "@/lib/auth/authorize";
import { hostRepoPath } from "@/lib/git/host-repo";
import { route } from "@/lib/http/handler";
import { commitsSince, reviewBase } from "@/lib/review/git-read";
import { getSession } from "@/lib/sessions/dto";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => {
  const { teamId } = await authorizeSession(caller, params.id, "session.read");
  const s = await getSession(teamId, params.id);
  if (!s.baseCommit) return { commits: [], baseCommit: null, headCommit: null };
  // From the merge base with the base's head as last fetched: after a rebase, only the agent's own work.
  const base = await reviewBase(hostRepoPath(s.id), s.baseCommit, s.branch);
  const commits = await commitsSince(hostRepoPath(s.id), base, s.branch);
  return { commits, baseCommit: base, headCommit: commits.length ? commits[commits.length - 1].sha : base };
});
