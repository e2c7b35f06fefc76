// Keeps the host's disk usable: below DOCKSIDE_MIN_FREE_MB free on the data directory's disk,
// running sessions are stopped (PostgreSQL and Docker need the space more than an agent does).
// On hosts without loop mounts it also enforces each session's quota by measuring its directory.
import { LIVE_STATUSES } from "../events/status";
import fs from "node:fs";
import { env } from "../config/env";
import { db } from "../db/client";
import { AppError, isAppError } from "../errors";
import { sessionPaths } from "../git/workspace";
import { runtime } from "../runtime/boot";
import { probeWrites } from "../runtime/write-probe";
import { runCmd } from "./mounts";
import { isDirectorySession, sessionQuotaBytes } from "./session-fs";

export const DISK_GUARD_INTERVAL_MS = 15_000;

/** Free bytes on the data directory's filesystem (what an unprivileged writer could still use). */
export async function dataDirFreeBytes(): Promise<number> {
  const dir = env().dataDir;
  fs.mkdirSync(dir, { recursive: true });
  const s = await fs.promises.statfs(dir);
  return s.bavail * s.bsize;
}

const floorBytes = () => env().DOCKSIDE_MIN_FREE_MB * 1024 * 1024;

export function formatBytes(n: number): string {
  const gb = n / 1024 ** 3;
  if (gb >= 1) return `${Number(gb.toFixed(1))} GB`;
  return `${Math.round(n / 1024 ** 2)} MB`;
}

export function lowDiskReason(free: number, floor = floorBytes()): string {
  return (
    `the host's disk has ${formatBytes(free)} free, below the ${formatBytes(floor)} floor: sessions were stopped so the ` +
    `database and Docker keep working; free disk space and send a follow-up to resume`
  );
}

/** Refuses new work below the free-space floor (call before starting a session's sandbox). */
export async function assertDiskFloor(readFree: () => Promise<number> = dataDirFreeBytes): Promise<void> {
  const free = await readFree();
  if (free >= floorBytes()) return;
  throw new AppError("unavailable", `the host's disk has ${formatBytes(free)} free, below the ${formatBytes(floorBytes())} floor: free disk space, then try again`);
}

export interface DiskGuardOptions {
  readFree?: () => Promise<number>;
  /** Bytes a plain-directory session uses (injectable like readFree). */
  readUsage?: (dir: string) => Promise<number>;
  stopSession?: (teamId: string, id: string, reason: string) => Promise<void>;
  intervalMs?: number;
  /** Only this team's sessions (tests share one database with other test files). */
  teamId?: string;
}

export interface DiskGuard {
  /** One round: returns the ids of the sessions it stopped. */
  check(): Promise<string[]>;
  stop(): void;
}

// Sessions with a container (queued ones have none yet).
const RUNNING = LIVE_STATUSES.filter((s) => s !== "queued");

/**
 * Starts the periodic check (unref'd: it never keeps the process alive), and with it the write
 * probe that /api/health reports (free space alone misses a disk that refuses writes).
 */
export function startDiskGuard(opts: DiskGuardOptions = {}): DiskGuard {
  const guard = diskGuard(opts);
  let busy = false;
  let probing = false;
  const probe = () => {
    if (probing) return;
    probing = true;
    void probeWrites(env().dataDir)
      .then((r) => r.ok || console.error(`[disk-guard] writes fail: ${r.error}`))
      .catch((err) => console.error("[disk-guard] write probe", err))
      .finally(() => (probing = false));
  };
  probe();
  const timer = setInterval(() => {
    probe();
    if (busy) return;
    busy = true;
    void guard
      .check()
      .catch((err) => console.error("[disk-guard]", err))
      .finally(() => (busy = false));
  }, opts.intervalMs ?? DISK_GUARD_INTERVAL_MS);
  timer.unref();
  return { check: guard.check, stop: () => clearInterval(timer) };
}

/** The guard without a timer: `check()` runs one round. */
export function diskGuard(opts: DiskGuardOptions = {}): Pick<DiskGuard, "check"> {
  const readFree = opts.readFree ?? dataDirFreeBytes;
  const readUsage = opts.readUsage ?? directoryUsage;
  const stopSession = opts.stopSession ?? ((teamId, id, reason) => runtime().orchestrator.stop(teamId, id, undefined, reason));
  const stopQuietly = async (teamId: string, id: string, reason: string) => {
    try {
      await stopSession(teamId, id, reason);
      return true;
    } catch (err) {
      // Already stopped meanwhile (conflict) is fine; anything else is worth a log line.
      if (!(isAppError(err) && err.code === "conflict")) console.error(`[disk-guard] stop ${id}`, err);
      return false;
    }
  };
  return {
    async check() {
      const rows = await db().session.findMany({ where: { status: { in: RUNNING }, teamId: opts.teamId }, select: { id: true, teamId: true } });
      const stopped: string[] = [];
      const free = await readFree();
      if (free < floorBytes()) {
        const reason = lowDiskReason(free);
        if (rows.length) console.error(`[disk-guard] ${reason} (${rows.length} session(s))`);
        for (const r of rows) if (await stopQuietly(r.teamId, r.id, reason)) stopped.push(r.id);
        return stopped;
      }
      const quota = sessionQuotaBytes();
      for (const r of rows) {
        const paths = sessionPaths(env().dataDir, r.id);
        if (!isDirectorySession(paths)) continue;
        const used = await readUsage(paths.mnt);
        if (used <= quota) continue;
        const reason = `the session's files use ${formatBytes(used)}, over its ${formatBytes(quota)} disk quota: the sandbox was stopped; send a follow-up asking the agent to delete files`;
        if (await stopQuietly(r.teamId, r.id, reason)) stopped.push(r.id);
      }
      return stopped;
    },
  };
}

/** Bytes allocated under `dir` on its own filesystem, symlinks not followed (du -sxPB1). */
export async function directoryUsage(dir: string): Promise<number> {
  const r = await runCmd("du", ["-sxPB1", "--", dir], 5 * 60_000);
  const n = Number(r.stdout.split(/\s/)[0]);
  return Number.isFinite(n) ? n : 0;
}
