import { authorizeSession } from "@/lib/auth/authorize";
import { env } from "@/lib/config/env";
import { sessionPaths } from "@/lib/git/workspace";
import { route } from "@/lib/http/handler";
import { listCommits } from "@/lib/review/git-read";
import { getSession } from "@/lib/sessions/dto";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => {
  const { teamId } = await authorizeSession(caller, params.id, "session.read");
  const s = await getSession(teamId, params.id);
  if (!s.baseCommit) return { commits: [], baseCommit: null, headCommit: null };
  const commits = await listCommits(sessionPaths(env().dataDir, s.id).workspace, s.baseCommit, s.branch);
  return { commits, baseCommit: s.baseCommit, headCommit: commits.length ? commits[commits.length - 1].sha : s.baseCommit };
});
