// Host mount bookkeeping for session filesystems: what is mounted where (read from the kernel,
// never remembered), and the mount/umount/mkfs commands with their stderr kept for messages.
import fs from "node:fs";
import { spawnHost } from "../runtime/spawner";

export interface CmdResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a system command without a shell; never throws (a missing binary is code 127). Through the
 * spawner (lib/runtime/spawner.ts): a session start runs several of these, and a fork from the
 * server's heap stalls every socket.
 */
export async function runCmd(cmd: string, args: string[], timeoutMs = 60_000): Promise<CmdResult> {
  const r = await spawnHost({ cmd, args, timeoutMs, maxBytes: 1024 * 1024 });
  const stdout = r.stdout.toString();
  const stderr = r.stderr.toString().trim();
  if (r.error) return { code: r.error.code === "ENOENT" ? 127 : 1, stdout, stderr: stderr || r.error.message };
  if (r.timedOut) return { code: 1, stdout, stderr: stderr || `${cmd} timed out after ${timeoutMs} ms` };
  return { code: r.code ?? 1, stdout, stderr: stderr || (r.signal ? `${cmd} killed by ${r.signal}` : "") };
}

export interface MountEntry {
  mountPoint: string;
  source: string;
  fsType: string;
}

// mountinfo escapes space, tab, newline and backslash as \ooo octal.
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** This process's mounts, as the kernel sees them now. */
export function listMounts(): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    if (!line) continue;
    const [left, right = ""] = line.split(" - ");
    const f = left.split(" ");
    const r = right.split(" ");
    out.push({ mountPoint: unescape(f[4] ?? ""), fsType: r[0] ?? "", source: unescape(r[1] ?? "") });
  }
  return out;
}

/** The mount whose mount point is exactly `dir` (the topmost if stacked), or null. */
export function mountAt(dir: string): MountEntry | null {
  const all = listMounts().filter((m) => m.mountPoint === dir);
  return all[all.length - 1] ?? null;
}

/** Unmounts `dir` until nothing is mounted there; a busy mount is detached lazily. */
export async function unmountAll(dir: string): Promise<void> {
  for (let i = 0; i < 8 && mountAt(dir); i++) {
    const r = await runCmd("umount", [dir]);
    if (r.code !== 0 && mountAt(dir)) {
      // Busy (a host process has a file open there): detach now; the kernel frees the loop
      // device (autoclear) when the last user lets go.
      const lazy = await runCmd("umount", ["-l", dir]);
      if (lazy.code !== 0 && mountAt(dir)) throw new Error(`umount ${dir} failed: ${lazy.stderr || r.stderr}`);
    }
  }
}

/**
 * Releases every loop mount at or below `prefix`, deepest first (session removal, tests,
 * benchmarks). Only loop devices: a careless prefix can never unmount the host's own filesystems.
 */
export async function releaseMountsUnder(prefix: string): Promise<number> {
  const base = prefix.replace(/\/+$/, "");
  if (!base) return 0;
  const points = [...new Set(listMounts().filter((m) => m.source.startsWith("/dev/loop")).map((m) => m.mountPoint))]
    .filter((p) => p === base || p.startsWith(base + "/"))
    .sort((a, b) => b.length - a.length);
  for (const p of points) await unmountAll(p).catch((err) => console.error(`[session-fs] ${(err as Error).message}`));
  return points.length;
}
