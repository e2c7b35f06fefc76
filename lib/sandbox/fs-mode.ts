// Which kind of session filesystem this host can give, decided once per process: a loop-mounted
// ext4 image per session (a hard disk quota, and the sandbox sees /dev/loopN instead of host
// paths) or, where loop mounts are impossible, a plain directory watched by the disk guard.
import fs from "node:fs";
import path from "node:path";
import { env } from "../config/env";
import { mountAt, runCmd, unmountAll } from "./mounts";

export type FsModeName = "loop" | "directory";

export interface FsMode {
  mode: FsModeName;
  /** One line for the start-up banner and the health details. */
  detail: string;
}

const g = globalThis as unknown as { __docksideFsMode?: Promise<FsMode> };

/**
 * The mode of this process, probed on first use (a real 8 MB image is made and mounted); the
 * start-up banner and the health details show its `detail`.
 */
export function sessionFsMode(): Promise<FsMode> {
  g.__docksideFsMode ??= probe();
  return g.__docksideFsMode;
}

export function describeMode(mode: FsModeName, why = ""): string {
  const gb = env().DOCKSIDE_SESSION_DISK_GB;
  if (mode === "loop") return `session filesystems: loop-mounted ext4 images, ${gb} GB quota each (writes past it fail with ENOSPC)`;
  return (
    `session filesystems: plain directories (${why}); the ${gb} GB quota is checked every 15 s and a session over it is ` +
    `stopped, so it can overshoot by what it writes in 15 s; the sandbox can see host paths in /proc/self/mountinfo`
  );
}

async function probe(): Promise<FsMode> {
  const why = await loopUnavailable();
  return why ? { mode: "directory", detail: describeMode("directory", why) } : { mode: "loop", detail: describeMode("loop") };
}

// Returns why loop mounts cannot be used here, or "" when a real one worked.
async function loopUnavailable(): Promise<string> {
  if (process.getuid?.() !== 0) return "Dockside does not run as root";
  if ((await runCmd("mkfs.ext4", ["-V"])).code === 127) return "mkfs.ext4 is not installed (apt-get install e2fsprogs)";
  const dir = path.join(env().dataDir, `.fs-probe-${process.pid}`);
  const img = path.join(dir, "probe.img");
  const mnt = path.join(dir, "mnt");
  try {
    fs.mkdirSync(mnt, { recursive: true, mode: 0o700 });
    fs.closeSync(fs.openSync(img, "w", 0o600));
    fs.truncateSync(img, 8 * 1024 * 1024);
    const mk = await runCmd("mkfs.ext4", ["-q", "-F", "-m", "0", "-O", "^has_journal", img]);
    if (mk.code !== 0) return `mkfs.ext4 failed: ${mk.stderr}`;
    const m = await runCmd("mount", ["-o", "loop,nosuid,nodev", img, mnt]);
    if (m.code !== 0 || !mountAt(mnt)) return `a loop mount failed: ${m.stderr || "not mounted"}`;
    return "";
  } catch (err) {
    return `the probe failed: ${(err as Error).message}`;
  } finally {
    await unmountAll(mnt).catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
