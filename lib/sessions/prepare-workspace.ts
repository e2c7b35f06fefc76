// A fresh session's repositories: host.git gets the origin's base (and a fork's checkpoint), the
// workspace is cloned from it. Everything is read from the session row, so a launch interrupted
// by a restart (mid-clone, mid-fork) runs again to the same result: both steps start from scratch,
// and a fork's origin stays on the row until its checkpoint is in.
import { env } from "../config/env";
import { db } from "../db/client";
import { AppError, isAppError } from "../errors";
import { parseRepoSource } from "../git/repo-source";
import { importCheckpoint, initHostRepo } from "../git/host-repo";
import { cloneWorkspace, type SessionPaths, sessionPaths } from "../git/workspace";
import { ensureMirror } from "../git/mirror";
import { credentialEnv } from "../review/credentials";
import type { Session } from "../db/generated/client";

/** Prepares host.git and the workspace; `alongside` (the session's filesystem) is awaited with them. Returns the updated row. */
export async function prepareWorkspace(row: Session, paths: SessionPaths, alongside: Promise<unknown>): Promise<Session> {
  // host.git and the workspace borrow the repository's mirror (refreshed here from the origin):
  // a session costs its own objects, not the repository's history. Nothing here is the agent's yet.
  const source = parseRepoSource(row.repo, env().repoRoots);
  const mirror = row.repositoryId ? await ensureMirror(row.repositoryId, source.location, await credentialEnv(row.teamId, row.repo)) : undefined;
  const [baseCommit] = await Promise.all([initHostRepo(paths.hostRepo, source.location, row.baseBranch, row.branch, {}, { mirror }), alongside]);
  const fork = row.forkSourceId || row.forkSha ? { sessionId: row.forkSourceId, sha: row.forkSha } : null;
  if (fork) {
    // Never start a fork from the base: without its checkpoint it fails, saying why.
    if (!fork.sessionId || !fork.sha) throw new AppError("conflict", "this fork lost its origin (the source session or checkpoint is not recorded); fork again from the checkpoint");
    await importCheckpoint(paths.hostRepo, sessionPaths(env().dataDir, fork.sessionId).hostRepo, fork.sha, row.branch).catch((err) => {
      const why = isAppError(err) ? err.message : (err as Error).message;
      throw new AppError("conflict", `could not fork from checkpoint ${fork.sha!.slice(0, 12)} of session ${fork.sessionId}: ${why}`, { cause: err });
    });
  }
  await cloneWorkspace(paths, row.branch, row.sandboxUid, row.sandboxUid, { mirror });
  // The origin is cleared with the same write that records the base: imported exactly once.
  return db().session.update({ where: { id: row.id }, data: { baseCommit, headCommit: fork?.sha ?? baseCommit, forkSourceId: null, forkSha: null } });
}
