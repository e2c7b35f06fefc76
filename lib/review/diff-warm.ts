// The review's first diff answer (the range's index with its leading files' hunks), started while
// the browser is still loading the page: the page's server render calls this for a signed-in
// caller who may read the session, and the page's own request (GET …/diff?view=index, authorized
// again there) finds the answer ready or in flight (diff-pages keeps one per range).
import { resolveCaller } from "../auth/caller";
import { authorizeSession } from "../auth/authorize";
import { hostRepoPath } from "../git/host-repo";
import { getSession } from "../sessions/dto";
import { cachedRange, indexWithLead } from "./diff-pages";

export async function warmReviewIndex(headers: Headers, sessionId: string): Promise<void> {
  const caller = await resolveCaller(headers);
  if (!caller) return;
  const { teamId } = await authorizeSession(caller, sessionId, "session.read");
  const s = await getSession(teamId, sessionId);
  if (!s.baseCommit) return;
  const repo = hostRepoPath(s.id);
  const { from, to } = await cachedRange(repo, s.baseCommit, s.branch);
  await indexWithLead(repo, from, to);
}
