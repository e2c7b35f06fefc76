// What Dockside keeps on disk, by kind, for Settings: measured with du (allocated blocks, one
// filesystem, symlinks not followed), so a sparse session image counts what it holds, not its size.
import fs from "node:fs";
import path from "node:path";
import { env } from "../config/env";
import { db } from "../db/client";
import { cacheLimitBytes, environmentsRoot } from "../environments/snapshots";
import { mirrorsImage, mirrorsRoot } from "../git/mirror";
import { sessionPaths } from "../git/workspace";
import { runCmd } from "../sandbox/mounts";
import type { DiskUsage } from "./disk-usage-schema";

/** Bytes allocated by `paths` (each on its own filesystem); missing paths count 0. */
export async function allocatedBytes(paths: string[]): Promise<number> {
  const present = paths.filter((p) => fs.existsSync(p));
  let total = 0;
  // Batches: one du per few hundred paths keeps the argument list short.
  for (let i = 0; i < present.length; i += 200) {
    const r = await runCmd("du", ["-sxPB1", "-c", "--", ...present.slice(i, i + 200)], 10 * 60_000);
    const line = r.stdout.trim().split("\n").at(-1) ?? "";
    const n = Number(line.split(/\s/)[0]);
    if (Number.isFinite(n)) total += n;
  }
  return total;
}

export async function diskUsage(): Promise<DiskUsage> {
  const e = env();
  fs.mkdirSync(e.dataDir, { recursive: true });
  const st = await fs.promises.statfs(e.dataDir);
  const sessionsRoot = path.join(e.dataDir, "sessions");
  const ids = fs.existsSync(sessionsRoot) ? fs.readdirSync(sessionsRoot) : [];
  const paths = ids.map((id) => sessionPaths(e.dataDir, id));
  // Without loop mounts a session's files are a plain directory (mnt/) on the data directory's disk.
  const fsParts = paths.flatMap((p) => (fs.existsSync(p.fsImage) ? [p.fsImage, p.runImage] : [p.mnt, p.runImage]));
  const [sessionFilesystems, hostRepositories, environments, mirrors, database] = await Promise.all([
    allocatedBytes(fsParts),
    allocatedBytes(paths.map((p) => p.hostRepo)),
    allocatedBytes([environmentsRoot()]),
    // The mirrors' image where loop mounts work (what the disk holds), else their directory.
    allocatedBytes([fs.existsSync(mirrorsImage()) ? mirrorsImage() : mirrorsRoot()]),
    databaseBytes(),
  ]);
  return {
    dataDir: e.dataDir,
    totalBytes: st.blocks * st.bsize,
    freeBytes: st.bavail * st.bsize,
    usage: { sessionFilesystems, hostRepositories, environments, mirrors, database },
    sessions: ids.length,
    retention: {
      sandboxHours: e.DOCKSIDE_GC_SANDBOX_HOURS,
      archiveDays: e.DOCKSIDE_GC_ARCHIVE_DAYS,
      mirrorDays: e.DOCKSIDE_GC_MIRROR_DAYS,
      environmentCacheBytes: cacheLimitBytes(),
      minFreeBytes: e.DOCKSIDE_MIN_FREE_MB * 1024 * 1024,
    },
    measuredAt: new Date().toISOString(),
  };
}

async function databaseBytes(): Promise<number> {
  const rows = await db().$queryRaw<{ size: bigint }[]>`SELECT pg_database_size(current_database()) AS size`;
  return Number(rows[0]?.size ?? 0);
}
