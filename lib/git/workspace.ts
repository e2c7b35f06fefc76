// The per-session workspace on the host: a fresh clone of the base branch with the session
// branch checked out, owned by the sandbox user. After the clone, the agent controls the
// workspace (including .git/config and hooks), so host-side reads run as the sandbox user with
// repository config neutralised (see run.ts).
import fs from "node:fs";
import path from "node:path";
import { AppError } from "../errors";
import { git, gitReason } from "./run";
import type { RepoSource } from "./repo-source";

export const SANDBOX_UID = 1000;
export const SANDBOX_GID = 1000;

/**
 * Where a session's files live on the host:
 *
 *   sessions/<id>/            host-only (root, 0700)
 *     host.git                the host-owned repository: every host git command runs here
 *     tmp/                    host-only scratch (incoming bundles)
 *     fs.img                  the session's filesystem image (loop mount, disk quota) when available
 *     mnt/                    the session's filesystem: everything the container sees comes from here
 *       workspace/  -> /workspace      (owned by the session's uid: the agent's)
 *       run/        -> /run/dockside   (root, 0700: channel socket, worker state, inbox/)
 *       etc/        -> /etc/passwd, /etc/group (read-only; names the session uid)
 *       worker/     -> /opt/dockside   (read-only copy of the worker bundle)
 */
export interface SessionPaths {
  root: string;
  hostRepo: string;
  tmp: string;
  fsImage: string;
  mnt: string;
  workspace: string;
  /** Mounted at /run/dockside: host.sock, state/ and inbox/ (worker-only). */
  run: string;
  inbox: string;
  etc: string;
  worker: string;
}

export function sessionPaths(dataDir: string, sessionId: string): SessionPaths {
  const root = path.join(dataDir, "sessions", sessionId);
  const mnt = path.join(root, "mnt");
  const run = path.join(mnt, "run");
  return {
    root,
    hostRepo: path.join(root, "host.git"),
    tmp: path.join(root, "tmp"),
    fsImage: path.join(root, "fs.img"),
    mnt,
    workspace: path.join(mnt, "workspace"),
    run,
    inbox: path.join(run, "inbox"),
    etc: path.join(mnt, "etc"),
    worker: path.join(mnt, "worker"),
  };
}

/** Run host-side git on agent-controlled files as the sandbox user (when we are root and can). */
export const asSandboxUser = (): { uid?: number; gid?: number } => (process.getuid?.() === 0 ? { uid: SANDBOX_UID, gid: SANDBOX_GID } : {});

/** Clones `baseBranch` of the source and creates `branch` from it; returns the base commit. */
export async function cloneWorkspace(src: RepoSource, baseBranch: string, branch: string, paths: SessionPaths): Promise<string> {
  fs.rmSync(paths.workspace, { recursive: true, force: true });
  fs.mkdirSync(path.join(paths.run, "state"), { recursive: true });
  const clone = await git(
    ["-c", "safe.directory=*", "clone", "--no-recurse-submodules", "--no-hardlinks", "--single-branch", "--branch", baseBranch, "--", src.location, paths.workspace],
    { timeoutMs: 10 * 60_000 },
  );
  if (clone.code !== 0) throw new AppError("invalid", `clone failed: ${gitReason(clone)}`);
  const head = await git(["-C", paths.workspace, "rev-parse", "HEAD"]);
  const checkout = await git(["-C", paths.workspace, "checkout", "-q", "-b", branch]);
  if (head.code !== 0 || checkout.code !== 0) throw new AppError("internal", `could not create branch ${branch}: ${gitReason(checkout)}`);
  // The sandbox has no network and no credentials: a remote would only mislead the agent.
  await git(["-C", paths.workspace, "remote", "remove", "origin"]);
  chownTree(paths.root);
  return head.stdout.trim();
}

function chownTree(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const walk = (p: string) => {
    fs.lchownSync(p, SANDBOX_UID, SANDBOX_GID);
    const st = fs.lstatSync(p);
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
  };
  walk(dir);
}

/** Unified diff of the session branch against the commit it started from. */
export async function workspaceDiff(workspace: string, baseCommit: string, branch: string, maxBytes = 20 * 1024 * 1024): Promise<string> {
  if (!fs.existsSync(path.join(workspace, ".git"))) return "";
  const args = [
    "-c", "diff.external=", "-c", "core.attributesFile=/dev/null",
    "-C", workspace, "diff", "--no-ext-diff", "--no-textconv", "--no-color", "-M", `${baseCommit}`, `refs/heads/${branch}`, "--",
  ];
  const r = await git(args, { ...asSandboxUser(), timeoutMs: 60_000, maxBytes });
  if (r.code === -2) return r.stdout + `\n\n[diff cut at ${maxBytes} bytes]\n`;
  if (r.code !== 0) throw new AppError("internal", `diff failed: ${gitReason(r)}`);
  return r.stdout;
}

/** The commit the session branch points at, or null if it cannot be read. */
export async function branchHead(workspace: string, branch: string): Promise<string | null> {
  const r = await git(["-C", workspace, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`], asSandboxUser());
  return r.code === 0 ? r.stdout.trim() : null;
}

/** Moves a fresh session branch to a checkpoint of another session's workspace (forks). */
export async function startFromCheckpoint(workspace: string, fromWorkspace: string, sha: string): Promise<void> {
  const o = asSandboxUser();
  const fetch = await git(["-c", "safe.directory=*", "-c", "uploadpack.allowAnySHA1InWant=true", "-C", workspace, "fetch", "-q", "--no-tags", "--", fromWorkspace, sha], o);
  if (fetch.code !== 0) throw new AppError("invalid", `fork failed: could not fetch checkpoint ${sha.slice(0, 12)}: ${gitReason(fetch)}`);
  const reset = await git(["-C", workspace, "reset", "-q", "--hard", sha], o);
  if (reset.code !== 0) throw new AppError("internal", `fork failed: ${gitReason(reset)}`);
}
