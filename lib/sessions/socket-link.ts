// The sockets a sandbox reaches (<run>/host.sock, <run>/egress.sock) are symlinks to a socket
// with a name of its own per listener. Two instances can briefly both think they run a session
// (one paused, its lease taken over): closing a listening Unix socket unlinks its path (libuv), so
// with one shared name the old owner's close would delete the new owner's socket and cut the
// worker off for good. With a name per listener, a close removes only its own file, and the new
// owner swaps the link atomically (rename) so a reconnecting worker always lands on it.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

/** A fresh path to listen on for `<runDir>/<base>.sock` (nothing exists there). */
export function listenerPath(runDir: string, base: string): string {
  return path.join(runDir, `${base}.${randomBytes(6).toString("hex")}.sock`);
}

/** Points `<runDir>/<base>.sock` at `listening` (same directory, relative: it resolves inside the sandbox too). */
export function publishSocket(runDir: string, base: string, listening: string): void {
  const tmp = path.join(runDir, `.${base}.${randomBytes(6).toString("hex")}.link`);
  fs.symlinkSync(path.basename(listening), tmp);
  fs.renameSync(tmp, path.join(runDir, `${base}.sock`));
}

/**
 * Removes listener files of `base` left by processes that died without closing them (SIGKILL):
 * those that refuse connections. A live listener (another instance's, until it notices it lost
 * the session) is left alone.
 */
export async function sweepDeadListeners(runDir: string, base: string, keep: string): Promise<void> {
  const pattern = new RegExp(`^${base}\\.[0-9a-f]{12}\\.sock$`);
  let names: string[];
  try {
    names = fs.readdirSync(runDir).filter((n) => pattern.test(n) && n !== path.basename(keep));
  } catch {
    return;
  }
  await Promise.all(
    names.map(async (n) => {
      const p = path.join(runDir, n);
      if (!(await refuses(p))) return;
      fs.rmSync(p, { force: true });
    }),
  );
}

function refuses(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socketPath);
    const done = (dead: boolean) => {
      s.destroy();
      resolve(dead);
    };
    s.once("connect", () => done(false));
    s.once("error", (err: NodeJS.ErrnoException) => done(err.code === "ECONNREFUSED" || err.code === "ENOENT"));
    s.setTimeout(2000, () => done(false));
  });
}
