// Measurements of a session's sandbox for the memory and disk detectors: the container's memory
// against its limit (Docker's stats), the session's filesystem against its size. A sandbox that
// is not on this host (another instance's, already gone) measures as null: nothing to say.
import fs from "node:fs";
import type Docker from "dockerode";
import { env } from "../config/env";
import { sessionPaths } from "../git/workspace";
import { directoryUsage } from "../sandbox/disk-guard";
import { docker, withTimeout } from "../sandbox/docker";
import { mountAt } from "../sandbox/mounts";
import { isDirectorySession, sessionQuotaBytes } from "../sandbox/session-fs";
import type { DiskUse, MemoryUse } from "./detect";

/**
 * What `docker stats` shows as memory use: the cgroup's usage without inactive page cache, which
 * the kernel drops before it kills anything (cgroup v2: inactive_file; v1: total_inactive_file).
 */
export function memoryUseOf(stats: Pick<Docker.ContainerStats, "memory_stats">): MemoryUse | null {
  const m = stats.memory_stats;
  if (!m || typeof m.usage !== "number" || typeof m.limit !== "number" || m.limit <= 0) return null;
  const s = (m.stats ?? {}) as Partial<Record<string, number>>;
  const inactive = s.inactive_file ?? s.total_inactive_file ?? 0;
  return { used: inactive < m.usage ? m.usage - inactive : m.usage, limit: m.limit };
}

/** The container's memory use now; null when it is not running on this engine. */
export async function containerMemory(containerId: string, engine?: string | null): Promise<MemoryUse | null> {
  try {
    // one-shot: one sample, without waiting a second for a CPU delta nobody reads here.
    const stats = await withTimeout(docker(engine).getContainer(containerId).stats({ stream: false, "one-shot": true }), 10_000, "docker stats");
    return memoryUseOf(stats);
  } catch {
    return null;
  }
}

/** How full a mounted filesystem is, as df counts it (blocks reserved for root are not the agent's). */
export function diskUseOf(s: Pick<fs.StatsFs, "blocks" | "bfree" | "bavail" | "bsize">): DiskUse {
  const used = (s.blocks - s.bfree) * s.bsize;
  return { used, size: used + s.bavail * s.bsize };
}

/**
 * The session's filesystem: its mounted image (statfs), or, on hosts without loop mounts, the
 * size of its directory against DOCKSIDE_SESSION_DISK_GB. Null when it is not mounted here (the
 * statfs would measure the host's disk instead).
 */
export async function sessionDisk(sessionId: string): Promise<DiskUse | null> {
  const paths = sessionPaths(env().dataDir, sessionId);
  if (isDirectorySession(paths)) return { used: await directoryUsage(paths.mnt), size: sessionQuotaBytes() };
  if (!fs.existsSync(paths.fsImage) || !mountAt(paths.mnt)) return null;
  return diskUseOf(await fs.promises.statfs(paths.mnt));
}
