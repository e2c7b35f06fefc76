// The session branch's diff against the commit it started from, read from the workspace.
import { env } from "../config/env";
import { sessionPaths, workspaceDiff } from "../git/workspace";
import { getSession } from "./dto";

export async function readDiff(teamId: string, id: string): Promise<string> {
  const s = await getSession(teamId, id);
  if (!s.baseCommit) return "";
  return workspaceDiff(sessionPaths(env().dataDir, id).workspace, s.baseCommit, s.branch);
}
