// A fresh session's repositories: host.git gets the origin's base (and a fork's checkpoint), the
// workspace is cloned from it. Everything is read from the session row, so a launch interrupted
// by a restart (mid-clone, mid-fork) runs again to the same result: both steps start from scratch,
// and a fork's origin stays on the row until its checkpoint is in.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "../config/env";
import { db } from "../db/client";
import { AppError, isAppError } from "../errors";
import { parseRepoSource } from "../git/repo-source";
import { importCheckpoint, initHostRepo } from "../git/host-repo";
import { cloneWorkspace, type SessionPaths, sessionPaths } from "../git/workspace";
import { git, gitReason } from "../git/run";
import { ioReason } from "../runtime/io-reason";
import { ensureMirror } from "../git/mirror";
import { credentialEnv } from "../review/credentials";
import type { Session } from "../db/generated/client";

/**
 * Refreshes a registered repository's mirror from its origin (with the team's credentials) and
 * resolves to its path. insertSession starts it while it checks the input; the launch uses it.
 */
export async function refreshMirror(teamId: string, repositoryId: string, repo: string): Promise<string> {
  return ensureMirror(repositoryId, parseRepoSource(repo, env().repoRoots).location, await credentialEnv(teamId, repo));
}

/**
 * Prepares host.git and the workspace; `alongside` (the session's filesystem) is awaited with them.
 * `inPlace`: a warm-pool sandbox already binds the workspace directory (see cloneInPlace).
 * `refreshed`: the mirror's refresh started for this session's creation (a failed one is tried again). Returns the updated row.
 */
export async function prepareWorkspace(row: Session, paths: SessionPaths, alongside: Promise<unknown>, o: { inPlace?: boolean; refreshed?: Promise<string>; mark?: (step: string) => void } = {}): Promise<Session> {
  const { inPlace = false, mark = () => {} } = o;
  // host.git and the workspace borrow the repository's mirror (refreshed from the origin when the
  // session is created or here): a session costs its own objects, not the repository's history.
  // Nothing here is the agent's yet.
  const source = parseRepoSource(row.repo, env().repoRoots);
  const mirror = await mirrorOf(row, o.refreshed);
  mark("mirror");
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
  mark("host.git");
  if (inPlace) await cloneInPlace(paths, row);
  else await cloneWorkspace(paths, row.branch, row.sandboxUid, row.sandboxUid, { mirror });
  // The origin is cleared with the same write that records the base: imported exactly once.
  return db().session.update({ where: { id: row.id }, data: { baseCommit, headCommit: fork?.sha ?? baseCommit, forkSourceId: null, forkSha: null } });
}

/** The repository's refreshed mirror; an early refresh that failed is tried again (its error is the one a person reads). */
async function mirrorOf(row: Session, refreshed: Promise<string> | undefined): Promise<string | undefined> {
  if (!row.repositoryId) return undefined;
  return (await refreshed?.catch(() => null)) ?? refreshMirror(row.teamId, row.repositoryId, row.repo);
}

/**
 * A running container binds the workspace directory itself, so it must stay (cloneWorkspace
 * replaces it): the clone is made next to it, in the same filesystem, and its entries moved in.
 * No mirror bind in a pooled sandbox, so the clone carries its own objects (no alternates): one
 * pack of the branch's history, written by the transfer itself (`--no-local`; a local clone with
 * `--dissociate` copies and then repacks everything, twice the work). Nothing is shared with
 * host.git, the mirror or another session.
 */
async function cloneInPlace(paths: SessionPaths, row: Session): Promise<void> {
  const staging = path.join(paths.mnt, `.clone-${crypto.randomBytes(6).toString("hex")}`);
  try {
    await ownClone(paths.hostRepo, staging, row.branch);
    chownTree(staging, row.sandboxUid);
    for (const name of fs.readdirSync(paths.workspace)) await fs.promises.rm(path.join(paths.workspace, name), { recursive: true, force: true });
    for (const name of fs.readdirSync(staging)) fs.renameSync(path.join(staging, name), path.join(paths.workspace, name));
  } catch (err) {
    if (isAppError(err)) throw err;
    throw new AppError("internal", `could not make the workspace: ${ioReason(err, paths.root)}`, { cause: err });
  } finally {
    await fs.promises.rm(staging, { recursive: true, force: true });
  }
}

/** The branch cloned with objects of its own and no remote (the sandbox has no network and no credentials). */
async function ownClone(hostRepo: string, dir: string, branch: string): Promise<void> {
  const clone = await git(["clone", "-q", "--no-recurse-submodules", "--no-local", "--single-branch", "--branch", branch, "--", hostRepo, dir], { timeoutMs: 10 * 60_000 });
  if (clone.code !== 0) throw new AppError("internal", `could not make the workspace: ${gitReason(clone)}`);
  await git(["-C", dir, "remote", "remove", "origin"]);
  // git 2.39 leaves refs/remotes/origin/HEAD behind, pointing at nothing (the agent's `git fsck` errors).
  await git(["-C", dir, "symbolic-ref", "--delete", "refs/remotes/origin/HEAD"]);
  if (fs.existsSync(path.join(dir, ".git", "objects", "info", "alternates"))) throw new AppError("internal", "could not make the workspace: the clone borrows objects");
}

// lchown and lstat: never follows a symlink (the tree is fresh, but keep the habit).
function chownTree(dir: string, uid: number): void {
  if (process.getuid?.() !== 0) return;
  const walk = (p: string) => {
    fs.lchownSync(p, uid, uid);
    if (fs.lstatSync(p).isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
  };
  walk(dir);
}
