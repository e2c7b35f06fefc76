// A session's filesystem on the host: an ext4 image (fs.img, sparse, the size of the disk quota)
// loop-mounted at mnt/ while the session may run. Everything the container mounts comes from
// inside it, so writing past the quota fails with ENOSPC inside the sandbox, the host's disk only
// ever holds the image, and /proc/self/mountinfo in the sandbox names /dev/loopN instead of host
// paths. Hosts that cannot loop-mount get a plain directory (see fs-mode.ts and disk-guard.ts).
import fs from "node:fs";
import path from "node:path";
import { env } from "../config/env";
import { AppError } from "../errors";
import type { SessionPaths } from "../git/workspace";
import { sessionFsMode, type FsModeName } from "./fs-mode";
import { mountAt, releaseMountsUnder, runCmd, unmountAll } from "./mounts";
import { ensureDir, refreshWorker, writeHostOwnedLayout } from "./session-layout";

export interface PrepareOptions {
  uid: number;
  gid: number;
  /** Size of the session's filesystem; defaults to DOCKSIDE_SESSION_DISK_GB. */
  quotaBytes?: number;
  /** Where the worker bundle is built (sandbox/dist). */
  workerDist?: string;
  /** Overrides the detected mode (tests of the fallback). */
  mode?: FsModeName;
}

export const sessionQuotaBytes = (): number => Math.floor(env().DOCKSIDE_SESSION_DISK_GB * 1024 ** 3);
const defaultDist = () => path.resolve("sandbox/dist");

/** Creates (or completes) the session's filesystem, mounted, with an empty workspace owned by uid:gid. */
export async function prepareSessionFs(paths: SessionPaths, opts: PrepareOptions): Promise<void> {
  const mode = opts.mode ?? (await sessionFsMode()).mode;
  await locked(paths.root, async () => {
    // sessions/ itself may be an operator's symlink to another disk: only made when missing.
    fs.mkdirSync(path.dirname(paths.root), { recursive: true, mode: 0o700 });
    ensureDir(paths.root, 0o700);
    ensureDir(paths.tmp, 0o700);
    // A session keeps the kind of filesystem it was made with: an image is never replaced by a
    // directory (that would hide the files), nor a directory session by an image mounted over it.
    const hasImage = fs.existsSync(paths.fsImage);
    const directorySession = !hasImage && !!fs.lstatSync(paths.workspace, { throwIfNoEntry: false })?.isDirectory();
    if (hasImage || (mode === "loop" && !directorySession)) {
      if (!hasImage) await makeImage(paths.fsImage, opts.quotaBytes ?? sessionQuotaBytes());
      await mountImage(paths, !hasImage);
    } else {
      ensureDir(paths.mnt, 0o755);
    }
    const ws = fs.lstatSync(paths.workspace, { throwIfNoEntry: false });
    if (!ws?.isDirectory()) ensureDir(paths.workspace, 0o755, opts.uid, opts.gid);
    else if (process.getuid?.() === 0) fs.lchownSync(paths.workspace, opts.uid, opts.gid);
    writeHostOwnedLayout(paths, opts.uid, opts.gid, env().DOCKSIDE_CA_BUNDLE);
    refreshWorker(paths, opts.workerDist ?? defaultDist());
  });
}

/**
 * Makes the session's filesystem available before its container starts (and on recovery): mounts
 * the image if needed and refreshes the worker bundle. Throws an AppError rather than leave an
 * empty directory where the workspace should be.
 */
export async function mountSessionFs(paths: SessionPaths, opts: { workerDist?: string } = {}): Promise<void> {
  await locked(paths.root, async () => {
    if (fs.existsSync(paths.fsImage)) {
      await mountImage(paths);
    } else if (!fs.lstatSync(paths.workspace, { throwIfNoEntry: false })?.isDirectory()) {
      throw new AppError("conflict", "this session's files are missing on this host; start a new session");
    }
    ensureDir(paths.run, 0o700);
    ensureDir(path.join(paths.run, "state"), 0o700);
    ensureDir(paths.inbox, 0o700);
    refreshWorker(paths, opts.workerDist ?? defaultDist());
  });
}

/** After the container has exited: unmounts (the loop devices are freed); the images and their files stay. */
export async function releaseSessionFs(paths: SessionPaths): Promise<void> {
  await locked(paths.root, async () => {
    await unmountAll(paths.run);
    await unmountAll(paths.mnt);
  });
}

/** Unmounts and deletes everything of the session on the host; never follows a symlink. */
export async function removeSessionFs(paths: SessionPaths): Promise<void> {
  await locked(paths.root, async () => {
    await releaseMountsUnder(paths.root);
    if (mountAt(paths.mnt)) throw new AppError("internal", "the session's filesystem is still mounted; its files were kept");
    // rm uses lstat/unlink: symlinks in the agent's tree are removed, not followed.
    await fs.promises.rm(paths.root, { recursive: true, force: true });
  });
}

/** Whether the session's filesystem is a plain directory (the disk guard then checks its size). */
export function isDirectorySession(paths: SessionPaths): boolean {
  return !fs.existsSync(paths.fsImage) && fs.existsSync(paths.mnt);
}

/** The worker's own small filesystem (run/: socket, state, inbox), mounted over mnt/run. */
const RUN_IMAGE_BYTES = 64 * 1024 * 1024;

async function mountRunImage(paths: SessionPaths): Promise<void> {
  const fresh = !fs.existsSync(paths.runImage);
  if (fresh) await makeImage(paths.runImage, RUN_IMAGE_BYTES, 0);
  if (mountAt(paths.run)) return;
  ensureDir(paths.run, 0o700);
  if (!fresh) {
    const fsck = await runCmd("e2fsck", ["-p", paths.runImage], 60_000);
    if (fsck.code >= 4) console.error(`[session-fs] e2fsck ${paths.runImage} (exit ${fsck.code}): ${fsck.stderr}`);
  }
  const m = await runCmd("mount", ["-o", "loop,nosuid,nodev,noexec", paths.runImage, paths.run]);
  if (m.code !== 0 || !mountAt(paths.run)) {
    throw new AppError("unavailable", `the session's worker filesystem could not be mounted (${m.stderr || "it was not mounted"}); check that a loop device is free (losetup -f), then send a follow-up`);
  }
  ensureDir(paths.run, 0o700);
}

async function makeImage(image: string, quotaBytes: number, reserveFor?: number): Promise<void> {
  // Built under another name and renamed: a crash midway never leaves a half-made fs.img.
  const tmp = `${image}.new`;
  fs.rmSync(tmp, { force: true });
  fs.closeSync(fs.openSync(tmp, "wx", 0o600));
  const size = Math.max(16 * 1024 * 1024, Math.floor(quotaBytes / 4096) * 4096);
  fs.truncateSync(tmp, size);
  // No journal and lazy inode tables: fast to make. ext4 keeps its reserved blocks for uid 0, and
  // the worker is uid 0 while the agent is not: up to 64 MB (at most 5%) stay free for the worker's
  // state and checkpoints when the agent has filled the disk.
  const reservePct = reserveFor === 0 ? "0" : Math.min(5, ((64 * 1024 * 1024) / size) * 100).toFixed(3);
  const mk = await runCmd("mkfs.ext4", ["-q", "-F", "-m", reservePct, "-O", "^has_journal", "-E", "lazy_itable_init=1,nodiscard", tmp]);
  if (mk.code !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new AppError("internal", `could not make the session's filesystem: mkfs.ext4 failed: ${mk.stderr}`);
  }
  fs.renameSync(tmp, image);
}

async function mountImage(paths: SessionPaths, fresh = false): Promise<void> {
  if (mountAt(paths.mnt)) return mountRunImage(paths);
  const mode = await sessionFsMode();
  if (mode.mode !== "loop") {
    throw new AppError("unavailable", `this session's files are in a disk image that this host cannot mount now (${mode.detail}); run Dockside as root with loop devices and e2fsprogs`);
  }
  ensureDir(paths.mnt, 0o755);
  // Without a journal, a host crash while mounted needs a check before the next mount.
  // (A freshly made image needs no check.)
  const fsck = fresh ? { code: 0, stderr: "" } : await runCmd("e2fsck", ["-p", paths.fsImage], 10 * 60_000);
  if (fsck.code >= 4) console.error(`[session-fs] e2fsck ${paths.fsImage} (exit ${fsck.code}): ${fsck.stderr}`);
  // mount(8) sets autoclear on the loop device: unmounting frees it.
  const m = await runCmd("mount", ["-o", "loop,nosuid,nodev", paths.fsImage, paths.mnt]);
  if (m.code !== 0 || !mountAt(paths.mnt)) {
    const why = m.stderr || "it was not mounted";
    throw new AppError(
      "unavailable",
      `the session's filesystem could not be mounted (${why}); check that a loop device is free (losetup -f) and repair the image with e2fsck, then send a follow-up`,
    );
  }
  ensureDir(paths.mnt, 0o755);
  // Its own filesystem: the agent can fill the workspace's blocks or inodes, never the worker's.
  await mountRunImage(paths);
}

// One operation at a time per session (concurrent mounts would stack two loop devices).
const g = globalThis as unknown as { __docksideFsLocks?: Map<string, Promise<unknown>> };
async function locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const locks = (g.__docksideFsLocks ??= new Map());
  const prev = locks.get(key) ?? Promise.resolve();
  const next = prev.catch(() => {}).then(fn);
  locks.set(key, next);
  try {
    return await next;
  } finally {
    if (locks.get(key) === next) locks.delete(key);
  }
}
