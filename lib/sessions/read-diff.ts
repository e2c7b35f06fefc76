// The session branch's diff against the commit it started from, read from the host repository.
import { hostRepoPath } from "../git/host-repo";
import { diffText } from "../review/git-read";
import { getSession } from "./dto";

export async function readDiff(teamId: string, id: string): Promise<string> {
  const s = await getSession(teamId, id);
  if (!s.baseCommit) return "";
  return diffText(hostRepoPath(id), s.baseCommit, `refs/heads/${s.branch}`);
}
