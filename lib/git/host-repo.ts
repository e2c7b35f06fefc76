// The host-owned repository of a session (sessions/<id>/host.git). Every host git command on a
// session's branch runs here, never in the agent's workspace: the agent's commits arrive only as
// data (a bundle the worker hands over), indexed and fsck'd into this repository, whose
// configuration only Dockside writes. Nothing from the source is honoured: a bundle carries
// objects and refs, not config, hooks, attributes, alternates or filters.
import fs from "node:fs";
import path from "node:path";
import { env } from "../config/env";
import { AppError } from "../errors";
import { ev, type NewEvent } from "../events/schema";
import { db } from "../db/client";
import { git, gitReason, type GitOptions } from "./run";
import { sessionPaths } from "./workspace";

/**
 * Settings for every command on a host repository. The repository is ours, but its objects are
 * the agent's: check them on the way in, and make sure no program could be configured to run.
 */
export const HOST_GIT = [
  "-c", "transfer.fsckObjects=true",
  "-c", "fetch.fsckObjects=true",
  "-c", "core.attributesFile=/dev/null",
  "-c", "diff.external=",
  "-c", "core.pager=cat",
  "-c", "gpg.program=/bin/false",
  "-c", "log.showSignature=false",
  "-c", "core.sshCommand=/bin/false",
  "-c", "gc.auto=0",
];

const SHA = /^[0-9a-f]{40}$/;

export function hostRepoPath(sessionId: string): string {
  return sessionPaths(env().dataDir, sessionId).hostRepo;
}

/** Runs git in a host repository; throws AppError with git's reason on failure. */
export async function hostGit(repo: string, args: string[], o: GitOptions & { what?: string } = {}): Promise<string> {
  const r = await git([...HOST_GIT, "-C", repo, ...args], { timeoutMs: 5 * 60_000, ...o });
  if (r.code !== 0 && r.code !== -2) throw new AppError(o.what ? "conflict" : "internal", `${o.what ?? `git ${args[0]}`} failed: ${gitReason(r)}`);
  return r.stdout;
}

/** Whether the session's host repository exists (sessions made before it existed have none). */
export function hasHostRepo(repo: string): boolean {
  return fs.existsSync(path.join(repo, "HEAD")) && fs.existsSync(path.join(repo, "objects"));
}

/**
 * Creates host.git with the origin's base branch and the session branch pointing at it;
 * resolves to the base commit. `source` is a trusted source (the registered origin).
 *
 * With `mirror` (the repository's mirror, lib/git/mirror.ts, refreshed by the caller), host.git
 * borrows the mirror's objects (objects/info/alternates, both host-owned) and takes the base
 * branch from the mirror: refs only, no object is copied, and host.git holds nothing but what the
 * session adds. Without it (sessions of no registration), the base is fetched from `source` with
 * its whole history, as before mirrors.
 */
export async function initHostRepo(repo: string, source: string, baseBranch: string, branch: string, env_: Record<string, string> = {}, o: { mirror?: string } = {}): Promise<string> {
  fs.rmSync(repo, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(repo), { recursive: true, mode: 0o700 });
  // HEAD names the session branch from the start, and one fetch writes both the base ref and
  // the branch: three git processes instead of five (each is milliseconds of a session's start).
  const init = await git(["init", "-q", "--bare", `--initial-branch=${branch}`, repo]);
  if (init.code !== 0) throw new AppError("internal", `could not create the session's repository: ${gitReason(init)}`);
  if (o.mirror) {
    const objects = path.join(o.mirror, "objects");
    if (!path.isAbsolute(objects) || !fs.statSync(objects, { throwIfNoEntry: false })?.isDirectory()) throw new AppError("internal", "the repository's mirror is missing");
    fs.writeFileSync(path.join(repo, "objects", "info", "alternates"), `${objects}\n`, { mode: 0o644 });
  }
  const from = o.mirror ?? source;
  const fetch = await git([...HOST_GIT, "-C", repo, "fetch", "-q", "--no-tags", "--no-write-fetch-head", "--", from, `+refs/heads/${baseBranch}:refs/dockside/base`, `+refs/heads/${baseBranch}:refs/heads/${branch}`], { timeoutMs: 10 * 60_000, env: o.mirror ? {} : env_ });
  if (fetch.code !== 0) throw new AppError("invalid", `clone failed: ${gitReason(fetch)}`);
  const base = (await hostGit(repo, ["rev-parse", "--verify", "refs/dockside/base^{commit}"])).trim();
  return base;
}

/**
 * Brings a checkpoint of another session (a fork's origin) into this session's host.git. When both
 * borrow from the same mirror only the checkpoint's own objects are copied.
 */
export async function importCheckpoint(repo: string, fromRepo: string, sha: string, branch: string): Promise<void> {
  if (!SHA.test(sha)) throw new AppError("invalid", "a checkpoint is a full commit id");
  const fetch = await git([...HOST_GIT, "-C", repo, "fetch", "-q", "--no-tags", "--", fromRepo, `+refs/dockside/checkpoints/${sha}:refs/dockside/checkpoints/${sha}`]);
  if (fetch.code !== 0) throw new AppError("invalid", `fork failed: could not fetch checkpoint ${sha.slice(0, 12)}: ${gitReason(fetch)}`);
  await hostGit(repo, ["update-ref", `refs/heads/${branch}`, sha]);
}

/** The commit the session branch points at in host.git, or null. */
export async function hostBranchHead(repo: string, branch: string): Promise<string | null> {
  if (!hasHostRepo(repo)) return null;
  const r = await git([...HOST_GIT, "-C", repo, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`]);
  return r.code === 0 ? r.stdout.trim() : null;
}

/**
 * Fetches a checkpoint bundle (a file the host wrote from the worker's upload) into host.git and
 * moves the session branch to `sha`. Resolves to the `commit` event to record, or null when the
 * branch already points at `sha` (a resend). Throws AppError("invalid") for a bundle that does not
 * hold `sha` on the session branch.
 */
export async function receiveCheckpoint(sessionId: string, sha: string, bundlePath: string, maxRepoBytes = env().DOCKSIDE_SESSION_DISK_GB * 1024 ** 3): Promise<NewEvent | null> {
  if (!SHA.test(sha)) throw new AppError("invalid", "sha must be a full 40-character commit id");
  const s = await db().session.findUnique({ where: { id: sessionId }, select: { branch: true, baseCommit: true } });
  if (!s?.baseCommit) throw new AppError("conflict", "this session has no branch yet");
  const repo = hostRepoPath(sessionId);
  if (!hasHostRepo(repo)) throw new AppError("conflict", "this session has no host repository");
  if ((await hostBranchHead(repo, s.branch)) === sha) return null;
  // host.git lives on the host's disk, outside the session's quota: its history may not grow past
  // the quota either, or one agent committing junk every turn fills the disk every session shares.
  // (Objects borrowed from the repository's mirror are not the session's: dirBytes counts only
  // host.git's own files.)
  const grown = dirBytes(repo) + fs.statSync(bundlePath).size;
  if (grown > maxRepoBytes) {
    throw new AppError("invalid", `the checkpoint was refused: the session's history would take ${Math.ceil(grown / 2 ** 20)} MB, more than its ${Math.floor(maxRepoBytes / 2 ** 20)} MB disk quota; commit smaller files (build outputs and data do not belong in the branch)`);
  }
  const incoming = `refs/dockside/incoming`;
  // Only the session branch is taken from the bundle, into a scratch ref; fsck checks every object.
  const r = await git([...HOST_GIT, "-C", repo, "fetch", "-q", "--no-tags", "--no-write-fetch-head", "--", bundlePath, `+refs/heads/${s.branch}:${incoming}`], { timeoutMs: 10 * 60_000 });
  if (r.code !== 0) throw new AppError("invalid", `the checkpoint bundle was refused: ${gitReason(r)}`);
  const got = (await hostGit(repo, ["rev-parse", "--verify", `${incoming}^{commit}`])).trim();
  await hostGit(repo, ["update-ref", "-d", incoming]);
  if (got !== sha) throw new AppError("invalid", `the checkpoint bundle holds ${got.slice(0, 12)} on ${s.branch}, not ${sha.slice(0, 12)}`);
  await hostGit(repo, ["update-ref", `refs/heads/${s.branch}`, sha]);
  // Every checkpoint stays reachable (for forks and "reset to"), whatever the agent does to its branch.
  await hostGit(repo, ["update-ref", `refs/dockside/checkpoints/${sha}`, sha]);
  return ev("commit", { sha, ...(await commitSummary(repo, sha)) });
}

/** Message and change counts of a commit against its first parent, read from host.git. */
export async function commitSummary(repo: string, sha: string): Promise<{ message: string; filesChanged: number; insertions: number; deletions: number }> {
  const message = (await hostGit(repo, ["log", "-1", "--no-color", "--format=%B", sha, "--"], { maxBytes: 64 * 1024 })).slice(0, 16_000);
  const parents = (await hostGit(repo, ["rev-list", "--parents", "-n", "1", sha, "--"])).trim().split(" ").slice(1);
  const from = parents[0] ?? "4b825dc642cb6eb9a060e54bf8d69288fbee4904"; // the empty tree
  const stats = await hostGit(repo, ["diff", "--no-ext-diff", "--no-textconv", "--numstat", "-z", from, sha, "--"], { maxBytes: 32 * 1024 * 1024 });
  let filesChanged = 0;
  let insertions = 0;
  let deletions = 0;
  for (const m of stats.matchAll(/(-|\d+)\t(-|\d+)\t/g)) {
    filesChanged++;
    insertions += Number(m[1]) || 0;
    deletions += Number(m[2]) || 0;
  }
  return { message: message.trimEnd() + "\n", filesChanged, insertions, deletions };
}

/**
 * Writes a bundle of `ref` into `file` (host-only), excluding commits the workspace already has.
 * Resolves false when there is nothing the workspace lacks.
 */
export async function writeBundle(repo: string, ref: string, exclude: string[], file: string): Promise<boolean> {
  const r = await git([...HOST_GIT, "-C", repo, "bundle", "create", "-q", file, ref, ...exclude.map((x) => `^${x}`)], { timeoutMs: 10 * 60_000 });
  if (r.code === 0) return true;
  if (/empty bundle/i.test(r.stderr)) return false;
  throw new AppError("internal", `could not write a bundle: ${gitReason(r)}`);
}

/** Bytes of the files under `dir` (host.git: a few packs, so a walk is cheap); never follows a symlink. */
function dirBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += dirBytes(p);
    else if (e.isFile()) total += fs.lstatSync(p).size;
  }
  return total;
}
