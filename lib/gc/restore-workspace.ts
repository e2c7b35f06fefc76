// Brings back an archived workspace (archive.ts): a clone of host.git's session branch, at its
// last checkpoint, into the session's freshly made filesystem. The launch calls it after
// prepareSessionFs and before the container starts, like the first clone: nothing in the new
// workspace is the agent's yet.
import fs from "node:fs";
import path from "node:path";
import { env } from "../config/env";
import { db } from "../db/client";
import { AppError } from "../errors";
import { borrowedMirrorObjects } from "../git/mirror";
import { hostBranchHead } from "../git/host-repo";
import { cloneWorkspace, sessionPaths } from "../git/workspace";

/**
 * Restores the workspace when the session's row says it was archived; a no-op otherwise.
 * The session's filesystem must be prepared (mounted) already. True when it restored.
 */
export async function restoreWorkspace(sessionId: string): Promise<boolean> {
  const row = await db().session.findUnique({ where: { id: sessionId }, select: { branch: true, sandboxUid: true, workspaceArchivedAt: true } });
  if (!row?.workspaceArchivedAt) return false;
  const paths = sessionPaths(env().dataDir, sessionId);
  if (!(await hostBranchHead(paths.hostRepo, row.branch))) {
    throw new AppError("conflict", "this session's workspace was archived and its branch is missing from the host's repository: it cannot be restored; start a new session");
  }
  // host.git borrows from the repository's mirror; the workspace borrows the same objects.
  const objects = await borrowedMirrorObjects(paths.hostRepo);
  await cloneWorkspace(paths, row.branch, row.sandboxUid, row.sandboxUid, { mirror: objects ? path.dirname(objects) : undefined });
  if (!fs.existsSync(path.join(paths.workspace, ".git"))) throw new AppError("internal", "could not restore the archived workspace");
  await db().session.updateMany({ where: { id: sessionId, workspaceArchivedAt: row.workspaceArchivedAt }, data: { workspaceArchivedAt: null } });
  return true;
}
