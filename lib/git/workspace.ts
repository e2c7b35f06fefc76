// The per-session files on the host and the workspace the agent works in. After the clone the
// agent controls the workspace (including .git/config and hooks): the host never runs git there
// again; reviews, diffs and shipping read the host-owned repository (host-repo.ts).
import fs from "node:fs";
import path from "node:path";
import { AppError } from "../errors";
import { MIRROR_OBJECTS_IN_SANDBOX } from "../protocol/worker";
import { ioReason } from "../runtime/io-reason";
import { git, gitReason } from "./run";

/**
 * Where a session's files live on the host:
 *
 *   sessions/<id>/            host-only (root, 0700)
 *     host.git                the host-owned repository: every host git command runs here
 *     tmp/                    host-only scratch (incoming bundles)
 *     fs.img                  the session's filesystem image (loop mount, disk quota) when available
 *     run.img                 a small image of its own for run/ (mounted over mnt/run): the agent
 *                             filling its disk (blocks or inodes) never stops the worker saving state
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
  runImage: string;
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
    runImage: path.join(root, "run.img"),
    mnt,
    workspace: path.join(mnt, "workspace"),
    run,
    inbox: path.join(run, "inbox"),
    etc: path.join(mnt, "etc"),
    worker: path.join(mnt, "worker"),
  };
}

/**
 * Makes the session's workspace: a clone of host.git with the session branch checked out, owned
 * by the session's uid. Runs before the container starts (nothing in it is the agent's yet); from
 * then on the host never runs git here again.
 *
 * When host.git borrows from the repository's mirror (`mirror`, as given to initHostRepo), so
 * does the workspace: the clone copies only host.git's own objects (normally none; a fork's
 * checkpoint) and checks out through the mirror's host path; then its alternates are rewritten to
 * MIRROR_OBJECTS_IN_SANDBOX, where the container binds the mirror's objects read-only
 * (borrowedMirrorObjects in mirror.ts). Without `mirror` the workspace gets every object it needs
 * (`--dissociate`), as before mirrors.
 */
export async function cloneWorkspace(paths: SessionPaths, branch: string, uid: number, gid: number, o: { mirror?: string } = {}): Promise<void> {
  try {
    await makeWorkspace(paths, branch, uid, gid, o);
  } catch (err) {
    if (err instanceof AppError) throw err;
    // A file write that failed (a full disk above all): the cause and the place, no stack.
    throw new AppError("internal", `could not make the workspace: ${ioReason(err, paths.root)}`, { cause: err });
  }
}

async function makeWorkspace(paths: SessionPaths, branch: string, uid: number, gid: number, o: { mirror?: string }): Promise<void> {
  fs.rmSync(paths.workspace, { recursive: true, force: true });
  const clone = await git(
    ["clone", "-q", "--no-recurse-submodules", "--no-hardlinks", ...(o.mirror ? [] : ["--dissociate"]), "--single-branch", "--branch", branch, "--", paths.hostRepo, paths.workspace],
    { timeoutMs: 10 * 60_000 },
  );
  if (clone.code !== 0) throw new AppError("internal", `could not make the workspace: ${gitReason({ ...clone, where: paths.root })}`);
  // The sandbox has no network and no credentials: a remote would only mislead the agent.
  await git(["-C", paths.workspace, "remote", "remove", "origin"]);
  // git 2.39 leaves refs/remotes/origin/HEAD behind, pointing at nothing (the agent's `git fsck` errors).
  await git(["-C", paths.workspace, "symbolic-ref", "--delete", "refs/remotes/origin/HEAD"]);
  const alternates = path.join(paths.workspace, ".git", "objects", "info", "alternates");
  if (fs.existsSync(alternates)) {
    // A local clone carries host.git's alternates over as host paths: the mirror's objects, nothing else.
    const lines = fs.readFileSync(alternates, "utf8").split("\n").map((l) => l.trim()).filter(Boolean);
    const mirrorObjects = o.mirror && fs.realpathSync(path.join(o.mirror, "objects"));
    if (!mirrorObjects || lines.length !== 1 || fs.realpathSync(lines[0]) !== mirrorObjects) {
      throw new AppError("internal", "could not make the workspace: the session's repository borrows objects from somewhere other than the repository's mirror");
    }
    fs.writeFileSync(alternates, `${MIRROR_OBJECTS_IN_SANDBOX}\n`);
  }
  chownTree(paths.workspace, uid, gid);
}

// lchown and lstat: never follows a symlink (the tree is fresh, but keep the habit).
function chownTree(dir: string, uid: number, gid: number): void {
  if (process.getuid?.() !== 0) return;
  const walk = (p: string) => {
    fs.lchownSync(p, uid, gid);
    const st = fs.lstatSync(p);
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
  };
  walk(dir);
}
