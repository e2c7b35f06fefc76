// One image build at a time across processes on this machine: a lock file in the data directory
// holding the builder's host and pid. A lock whose process is gone (killed mid-build) is taken
// over; otherwise the caller waits and then finds the other process's image.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { env } from "../config/env";

const POLL_MS = 1000;

export function buildLockPath(): string {
  return path.join(env().dataDir, "image-build.lock");
}

/** Runs `fn` holding the build lock; `fn` must check again whether the image exists. */
export async function withBuildLock<T>(tag: string, onProgress: (line: string) => void, fn: () => Promise<T>): Promise<T> {
  const file = buildLockPath();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let told = false;
  for (;;) {
    const fd = tryCreate(file, tag);
    if (fd !== null) {
      try {
        return await fn();
      } finally {
        fs.rmSync(file, { force: true });
      }
    }
    const holder = readHolder(file);
    if (!holder && ageMs(file) > 10_000) {
      // Created but never written (the creator died between the two): nobody holds it.
      fs.rmSync(file, { force: true });
      continue;
    }
    if (holder && !alive(holder)) {
      // The builder died (SIGKILL, OOM, power): its build is not coming; take over.
      onProgress(`[image] the build by pid ${holder.pid} on ${holder.host} did not finish; building again`);
      fs.rmSync(file, { force: true });
      continue;
    }
    if (!told && holder) onProgress(`[image] another Dockside process (pid ${holder.pid} on ${holder.host}) is building ${holder.tag}; waiting for it`);
    told = true;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

interface Holder {
  host: string;
  pid: number;
  tag: string;
}

function tryCreate(file: string, tag: string): number | null {
  try {
    // O_EXCL: exactly one process creates it (and a symlink planted there is never followed).
    const fd = fs.openSync(file, "wx", 0o600);
    fs.writeSync(fd, JSON.stringify({ host: os.hostname(), pid: process.pid, tag } satisfies Holder));
    fs.closeSync(fd);
    return fd;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return null;
    throw err;
  }
}

function readHolder(file: string): Holder | null {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Holder;
  } catch {
    // Being written or just removed: look again at the next poll.
    return null;
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function alive(h: Holder): boolean {
  // Another machine sharing the data directory: its pids mean nothing here; trust the file.
  if (h.host !== os.hostname()) return true;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
