// What goes inside a session's filesystem besides the workspace: the worker-only run/ directory,
// the passwd/group files that name the session's uid, and the worker bundle. Every step uses
// lstat and replaces whatever is not the expected kind of file, so a symlink planted there is
// removed, never followed.
import fs from "node:fs";
import path from "node:path";
import type { SessionPaths } from "../git/workspace";

const isRoot = () => process.getuid?.() === 0;

/** A real directory at `p` with this mode and owner (a symlink or file there is removed first). */
export function ensureDir(p: string, mode: number, uid = 0, gid = 0): void {
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (st && !st.isDirectory()) fs.rmSync(p, { force: true });
  if (!st || !st.isDirectory()) fs.mkdirSync(p, { mode });
  fs.chmodSync(p, mode);
  if (isRoot()) fs.lchownSync(p, uid, gid);
}

/** Writes a root-owned file atomically (temp file + rename: a symlink at `p` is replaced). */
export function writeRootFile(p: string, content: string | Buffer, mode: number): void {
  const tmp = `${p}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  fs.writeFileSync(tmp, content, { mode, flag: "wx" });
  fs.chmodSync(tmp, mode);
  if (isRoot()) fs.lchownSync(tmp, 0, 0);
  fs.renameSync(tmp, p);
}

// The system users and groups of the sandbox image (Debian bookworm's base-passwd), without the
// image's own `agent` (uid 1000): each session names its own uid `agent` instead.
const SYSTEM_PASSWD = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
games:x:5:60:games:/usr/games:/usr/sbin/nologin
man:x:6:12:man:/var/cache/man:/usr/sbin/nologin
lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin
mail:x:8:8:mail:/var/mail:/usr/sbin/nologin
news:x:9:9:news:/var/spool/news:/usr/sbin/nologin
uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin
proxy:x:13:13:proxy:/bin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
backup:x:34:34:backup:/var/backups:/usr/sbin/nologin
list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin
irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin
_apt:x:42:65534::/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
`;
const SYSTEM_GROUPS = `root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
news:x:9:
uucp:x:10:
man:x:12:
proxy:x:13:
kmem:x:15:
dialout:x:20:
fax:x:21:
voice:x:22:
cdrom:x:24:
floppy:x:25:
tape:x:26:
sudo:x:27:
audio:x:29:
dip:x:30:
www-data:x:33:
backup:x:34:
operator:x:37:
list:x:38:
irc:x:39:
src:x:40:
shadow:x:42:
utmp:x:43:
video:x:44:
sasl:x:45:
plugdev:x:46:
staff:x:50:
games:x:60:
users:x:100:
nogroup:x:65534:
`;

export function passwdFile(uid: number, gid: number): string {
  return `${SYSTEM_PASSWD}agent:x:${uid}:${gid}::/home/agent:/bin/bash\n`;
}

export function groupFile(gid: number): string {
  return `${SYSTEM_GROUPS}agent:x:${gid}:\n`;
}

/** The sandbox's CA bundle in etc/ (bound over the image's; see DOCKSIDE_CA_BUNDLE). */
export const CA_BUNDLE_FILE = "ca-certificates.crt";
const MAX_CA_BUNDLE = 16 * 1024 * 1024;

/** run/ (with state/ and inbox/) and etc/: root's alone, except what the agent must read. */
export function writeHostOwnedLayout(paths: SessionPaths, uid: number, gid: number, caBundle = ""): void {
  ensureDir(paths.run, 0o700);
  ensureDir(path.join(paths.run, "state"), 0o700);
  ensureDir(paths.inbox, 0o700);
  ensureDir(paths.etc, 0o755);
  writeRootFile(path.join(paths.etc, "passwd"), passwdFile(uid, gid), 0o644);
  writeRootFile(path.join(paths.etc, "group"), groupFile(gid), 0o644);
  // A copy, refreshed at every start (the host's trust store changes with its updates); an
  // unreadable or odd bundle leaves the image's own in place.
  const ca = caBundle ? fs.statSync(caBundle, { throwIfNoEntry: false }) : undefined;
  if (ca?.isFile() && ca.size > 0 && ca.size <= MAX_CA_BUNDLE) writeRootFile(path.join(paths.etc, CA_BUNDLE_FILE), fs.readFileSync(caBundle), 0o644);
  else fs.rmSync(path.join(paths.etc, CA_BUNDLE_FILE), { force: true });
}

/**
 * Brings worker/ up to date with the bundle in `dist` (it changes on upgrade). Files are replaced
 * by rename, so a worker that is running keeps the version it opened.
 */
export function refreshWorker(paths: SessionPaths, dist: string): void {
  if (!fs.existsSync(path.join(dist, "worker.mjs"))) throw new Error(`the worker bundle is missing (${dist}/worker.mjs): run npm run build`);
  ensureDir(paths.worker, 0o755);
  const wanted = new Set<string>();
  const walk = (rel: string) => {
    for (const ent of fs.readdirSync(path.join(dist, rel), { withFileTypes: true })) {
      const r = path.join(rel, ent.name);
      const src = path.join(dist, r);
      const dst = path.join(paths.worker, r);
      wanted.add(r);
      if (ent.isDirectory()) {
        ensureDir(dst, 0o755);
        walk(r);
      } else if (ent.isFile() && !ent.name.endsWith(".map")) {
        // Source maps stay on the host (6 MB per session for stack traces nobody reads there).
        const s = fs.statSync(src);
        const d = fs.lstatSync(dst, { throwIfNoEntry: false });
        if (d?.isFile() && d.size === s.size && d.mtimeMs === s.mtimeMs) continue;
        writeRootFile(dst, fs.readFileSync(src), 0o644);
        fs.utimesSync(dst, s.atime, s.mtime);
      }
    }
  };
  walk("");
  removeUnwanted(paths.worker, "", wanted);
}

function removeUnwanted(root: string, rel: string, wanted: Set<string>): void {
  for (const ent of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const r = path.join(rel, ent.name);
    if (!wanted.has(r)) fs.rmSync(path.join(root, r), { recursive: true, force: true });
    else if (ent.isDirectory()) removeUnwanted(root, r, wanted);
  }
}
