// The host's mirror of a registered repository (<data dir>/repos/<repositoryId>/mirror.git): one
// bare copy of the origin's branches that every session of the repository borrows objects from
// (objects/info/alternates), so a session costs what it adds, not the repository's history.
//
// The mirror is host-owned (its directories root 0700) and written only by host git fetching from
// the registered origin, with the same hardening as every host repository (HOST_GIT: objects
// fsck'd on the way in, no programs). Sessions' host.git repositories name its objects directory
// by host path; sandboxes see it read-only at MIRROR_OBJECTS_IN_SANDBOX. Because others borrow
// its objects, it never deletes one: gc.auto=0, gc.pruneExpire=never, maintenance off, and
// nothing in Dockside repacks it (a force-pushed origin leaves the old commits in it for the
// sessions that started from them).
//
// Where loop mounts work (as for session filesystems, lib/sandbox/fs-mode.ts), <data dir>/repos is
// an ext4 image of its own (repos.img, sparse), so the sandbox's /proc/self/mountinfo names
// /dev/loopN and a path inside that image for the mirror's objects, never the data directory.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "../config/env";
import { AppError } from "../errors";
import { sessionFsMode } from "../sandbox/fs-mode";
import { mountAt, runCmd } from "../sandbox/mounts";
import { HOST_GIT } from "./host-repo";
import { git, gitReason } from "./run";

/** Registration ids are UUIDs; anything that could leave repos/ is refused. */
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** The first fetch of a large origin may take a while; a refresh is normally milliseconds. */
const FETCH_TIMEOUT_MS = 30 * 60_000;
/** A lock older than this is left over from a process that died mid-fetch (longer than any fetch). */
const LOCK_STALE_MS = FETCH_TIMEOUT_MS + 5 * 60_000;

/** What every mirror's own config says, on top of HOST_GIT on every command. */
const MIRROR_CONFIG = `[gc]
\tauto = 0
\tpruneExpire = never
[maintenance]
\tauto = false
[core]
\tlogAllRefUpdates = false
[fetch]
\tfsckObjects = true
\twriteCommitGraph = false
[transfer]
\tfsckObjects = true
`;

/** Settings for fetches into a mirror (on the command line too: nothing may prune or repack it). */
const MIRROR_GIT = [...HOST_GIT, "-c", "gc.pruneExpire=never", "-c", "maintenance.auto=false", "-c", "fetch.writeCommitGraph=false"];

export function mirrorsRoot(): string {
  return path.join(env().dataDir, "repos");
}

/** `<data dir>/repos/<repositoryId>/mirror.git` (whether or not it exists yet). */
export function mirrorPath(repositoryId: string): string {
  if (!ID.test(repositoryId)) throw new AppError("internal", `not a repository id: ${JSON.stringify(repositoryId)}`);
  return path.join(mirrorsRoot(), repositoryId, "mirror.git");
}

/** The mirror's objects directory: host.git's alternates name it, and the sandbox gets it read-only. */
export function mirrorObjectsDir(repositoryId: string): string {
  return path.join(mirrorPath(repositoryId), "objects");
}

function isMirror(dir: string): boolean {
  return fs.existsSync(path.join(dir, "HEAD")) && fs.existsSync(path.join(dir, "objects")) && fs.existsSync(path.join(dir, "refs"));
}

// One refresh per repository at a time in this process (shared by both module graphs, see
// docs/architecture.md "Two module graphs, one process"); the lock file covers other processes.
type Shared = { inflight: Map<string, Promise<string>>; held: Set<string>; mounting?: Promise<void> };
const shared: Shared = ((globalThis as Record<symbol, unknown>)[Symbol.for("dockside.mirrors")] ??= { inflight: new Map(), held: new Set() }) as Shared;

/** The image holding every mirror where loop mounts work. */
export function mirrorsImage(): string {
  return path.join(env().dataDir, "repos.img");
}

/**
 * Makes <data dir>/repos available (idempotent, cheap once done): mounts repos.img there, making
 * it on first use where loop mounts work; otherwise (not root, no loop devices, or mirrors already
 * kept in a plain directory) a plain directory, and a sandbox can then see the host path of its
 * mirror in /proc/self/mountinfo, as with session directories in that mode. Call it at start-up:
 * host.git repositories borrow from here, so reviews need it mounted as much as sandboxes do.
 */
export function mountMirrorsFs(): Promise<void> {
  const root = mirrorsRoot();
  if (isMounted(root)) return Promise.resolve();
  shared.mounting ??= (async () => {
    fs.mkdirSync(env().dataDir, { recursive: true, mode: 0o700 });
    await withLock(path.join(env().dataDir, "repos.lock"), () => mountOnce(root));
  })().finally(() => (shared.mounting = undefined));
  return shared.mounting;
}

function isMounted(root: string): boolean {
  const real = fs.existsSync(root) ? fs.realpathSync(root) : root;
  return !!mountAt(real)?.source.startsWith("/dev/loop");
}

async function mountOnce(root: string): Promise<void> {
  if (isMounted(root)) return;
  const image = mirrorsImage();
  const fresh = !fs.existsSync(image);
  if (fresh) {
    // Mirrors kept in a plain directory stay there (an image mounted over them would hide them).
    const existing = fs.lstatSync(root, { throwIfNoEntry: false });
    if (existing && (!existing.isDirectory() || fs.readdirSync(root).length > 0)) return;
    if ((await sessionFsMode()).mode !== "loop") return;
    await makeImage(image);
  }
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  if (!fresh) {
    // No journal: a host crash while mounted needs a check before the next mount.
    const fsck = await runCmd("e2fsck", ["-p", image], 30 * 60_000);
    if (fsck.code >= 4) console.error(`[mirrors] e2fsck ${image} (exit ${fsck.code}): ${fsck.stderr}`);
  }
  const m = await runCmd("mount", ["-o", "loop,nosuid,nodev,noexec", image, root]);
  if (m.code !== 0 || !isMounted(root)) {
    throw new AppError("unavailable", `the repositories' mirrors could not be mounted (${m.stderr || "it was not mounted"}); check that a loop device is free (losetup -f) and repair ${path.basename(image)} in the data directory with e2fsck`);
  }
  fs.chmodSync(root, 0o700);
}

/** A sparse ext4 image as large as the data directory's disk (it takes only what the mirrors use). */
async function makeImage(image: string): Promise<void> {
  const tmp = `${image}.new`;
  fs.rmSync(tmp, { force: true });
  fs.closeSync(fs.openSync(tmp, "wx", 0o600));
  const st = fs.statfsSync(path.dirname(image));
  const size = Math.max(2 ** 30, Math.min(2 ** 40, Math.floor((st.blocks * st.bsize) / 4096) * 4096));
  fs.truncateSync(tmp, size);
  const mk = await runCmd("mkfs.ext4", ["-q", "-F", "-m", "0", "-O", "^has_journal", "-E", "lazy_itable_init=1,nodiscard", tmp]);
  if (mk.code !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new AppError("internal", `could not make the repositories' mirror filesystem: mkfs.ext4 failed: ${mk.stderr}`);
  }
  fs.renameSync(tmp, image);
}

/**
 * Makes sure the repository's mirror exists and holds the origin's current branches: creates it
 * if missing, then fetches `+refs/heads/*:refs/heads/*` from `source` (the registered origin: a
 * local path or an https URL; credentials through `gitEnv`, never argv). No tags. Branches the
 * origin deleted are dropped from the mirror's refs, never their objects. Calls for the same
 * repository while a refresh runs share it. Resolves to the mirror's path.
 */
export function ensureMirror(repositoryId: string, source: string, gitEnv: Record<string, string> = {}): Promise<string> {
  const mirror = mirrorPath(repositoryId);
  const running = shared.inflight.get(mirror);
  if (running) return running;
  const p = refresh(mirror, source, gitEnv).finally(() => shared.inflight.delete(mirror));
  shared.inflight.set(mirror, p);
  return p;
}

async function refresh(mirror: string, source: string, gitEnv: Record<string, string>): Promise<string> {
  const dir = path.dirname(mirror);
  await mountMirrorsFs();
  hostDir(mirrorsRoot());
  hostDir(dir);
  return withLock(path.join(dir, "mirror.lock"), async () => {
    if (!fs.existsSync(mirror)) await create(mirror);
    // Never replaced: sessions may borrow from whatever is there. A person has to look.
    else if (!isMirror(mirror)) throw new AppError("internal", `the repository's mirror (repos/${path.basename(path.dirname(mirror))}/mirror.git in the data directory) is not a git repository; an operator must look (moving it away has it made again, but sessions made from it lose their history)`);
    const r = await git([...MIRROR_GIT, "-C", mirror, "fetch", "-q", "--no-tags", "--prune", "--no-write-fetch-head", "--", source, "+refs/heads/*:refs/heads/*"], { timeoutMs: FETCH_TIMEOUT_MS, env: gitEnv });
    if (r.code !== 0) throw new AppError("invalid", `could not fetch the repository: ${gitReason(r)}`);
    return mirror;
  });
}

/** Initialises the mirror under a temporary name and renames it into place: it exists whole or not at all. */
async function create(mirror: string): Promise<void> {
  const dir = path.dirname(mirror);
  // Left over by a process that died while creating it (we hold the lock: nobody else is).
  for (const n of fs.readdirSync(dir)) if (n.startsWith("mirror.git.tmp-")) fs.rmSync(path.join(dir, n), { recursive: true, force: true });
  const tmp = `${mirror}.tmp-${crypto.randomUUID()}`;
  // --shared=0644: objects readable by the sandbox's uid whatever the server's umask (the
  // directories above stay 0700; the sandbox reaches the objects only through its bind).
  const init = await git(["init", "-q", "--bare", "--shared=0644", tmp]);
  if (init.code !== 0) throw new AppError("internal", `could not create the repository's mirror: ${gitReason(init)}`);
  fs.appendFileSync(path.join(tmp, "config"), MIRROR_CONFIG);
  fs.renameSync(tmp, mirror);
}

/** A directory only the host reaches (root 0700); refuses a symlink or a file in its place. */
function hostDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory()) throw new AppError("internal", `${dir} is not a directory`);
  if ((st.mode & 0o777) !== 0o700) fs.chmodSync(dir, 0o700);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` holding `lock` (created with O_EXCL, holding "pid time"). A lock whose process is gone,
 * or older than any fetch, is stale and taken over; otherwise we wait for it.
 */
async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      const fd = fs.openSync(lock, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
      fs.writeSync(fd, `${process.pid} ${Date.now()}\n`);
      fs.closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (staleLock(lock)) fs.rmSync(lock, { force: true });
      else await sleep(100);
    }
  }
  shared.held.add(lock);
  try {
    return await fn();
  } finally {
    shared.held.delete(lock);
    fs.rmSync(lock, { force: true });
  }
}

function staleLock(lock: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync(lock, "utf8");
  } catch {
    return false; // gone meanwhile: the next attempt creates it
  }
  const [pid, at] = text.trim().split(" ").map(Number);
  if (!pid || !at) {
    // Half-written (its writer died between open and write), or not ours.
    const st = fs.statSync(lock, { throwIfNoEntry: false });
    return !!st && Date.now() - st.mtimeMs > 5_000;
  }
  if (Date.now() - at > LOCK_STALE_MS) return true;
  // Our own pid but not held here: a previous process with the same pid (containers reuse them).
  if (pid === process.pid) return !shared.held.has(lock);
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * The mirror objects directory a session's host.git borrows from (its alternates, written only by
 * the host), or null when it borrows nothing. The container binds exactly this read-only at
 * MIRROR_OBJECTS_IN_SANDBOX: the workspace was cloned from host.git and borrows the same objects.
 * Read from host.git rather than the session row, whose repository link a removed registration clears.
 */
export async function borrowedMirrorObjects(hostRepo: string): Promise<string | null> {
  const file = path.join(hostRepo, "objects", "info", "alternates");
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
  const root = mirrorsRoot() + path.sep;
  // Resolved before the prefix check: host.git is Dockside's own, but a `..` must never carry a bind mount out of the mirrors.
  const line = text.split("\n").map((l) => path.resolve(l.trim())).find((l) => l.startsWith(root) && path.basename(l) === "objects");
  if (!line) return null;
  await mountMirrorsFs();
  if (!fs.existsSync(line)) throw new AppError("internal", "the repository's mirror this session borrows from is missing: its history cannot be read");
  return line;
}

/**
 * Deletes a repository's mirror. Only when no session's host.git borrows from it any more (their
 * history would be gone): e.g. with the team that owned the registration. Removing a registration
 * alone must leave it (its sessions keep their history).
 */
export async function removeMirror(repositoryId: string): Promise<void> {
  const dir = path.dirname(mirrorPath(repositoryId));
  await shared.inflight.get(mirrorPath(repositoryId))?.catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
}
