// Caches pruned by size and age: cached environments (least recently used first, past
// DOCKSIDE_ENV_CACHE_GB) and repository mirrors (removed when nothing can need them any more).
import fs from "node:fs";
import path from "node:path";
import { env } from "../config/env";
import { db } from "../db/client";
import { LIVE_STATUSES } from "../events/status";
import { cacheLimitBytes, snapshotPath } from "../environments/snapshots";
import { HOST_GIT } from "../git/host-repo";
import { mirrorsRoot, removeMirror } from "../git/mirror";
import { git } from "../git/run";

const DAY = 86_400_000;

/** Evicts cached environments least recently used first until they fit the limit. Idempotent. */
export async function pruneEnvironments(limit = cacheLimitBytes()): Promise<string[]> {
  const rows = await db().environmentSnapshot.findMany({ orderBy: [{ lastUsedAt: "asc" }, { createdAt: "asc" }], select: { id: true, repositoryId: true, key: true, sizeBytes: true } });
  let total = rows.reduce((n, r) => n + Number(r.sizeBytes), 0);
  const evicted: string[] = [];
  for (const r of rows) {
    if (total <= limit) break;
    // The row first: no new session is pointed at the file; one already streaming it keeps its open file.
    const gone = await db().environmentSnapshot.deleteMany({ where: { id: r.id } });
    fs.rmSync(snapshotPath(r.repositoryId, r.key), { force: true });
    total -= Number(r.sizeBytes);
    if (gone.count) evicted.push(r.id);
  }
  return evicted;
}

/** Which mirrors the sessions on this data directory borrow from (host.git alternates), and which of those sessions are live. */
async function borrowers(): Promise<{ all: Set<string>; live: Set<string> }> {
  const root = path.join(env().dataDir, "sessions");
  const all = new Set<string>();
  const byMirror = new Map<string, string[]>();
  for (const id of fs.existsSync(root) ? fs.readdirSync(root) : []) {
    let text = "";
    try {
      text = fs.readFileSync(path.join(root, id, "host.git", "objects", "info", "alternates"), "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
      const repositoryId = path.basename(path.dirname(path.dirname(path.resolve(line))));
      all.add(repositoryId);
      byMirror.set(repositoryId, [...(byMirror.get(repositoryId) ?? []), id]);
    }
  }
  const liveRows = await db().session.findMany({ where: { id: { in: [...byMirror.values()].flat() }, status: { in: [...LIVE_STATUSES] } }, select: { id: true } });
  const liveIds = new Set(liveRows.map((r) => r.id));
  const live = new Set([...byMirror].filter(([, ids]) => ids.some((i) => liveIds.has(i))).map(([m]) => m));
  return { all, live };
}

export interface MirrorPruneResult {
  removed: string[];
  compacted: string[];
}

/**
 * Removes the mirror of a repository no team registers, that no session on this host borrows
 * from and that no session used for DOCKSIDE_GC_MIRROR_DAYS. Mirrors that stay and that no live
 * session borrows from are repacked when loose objects piled up (`git gc --prune=never`: objects
 * are packed, none deleted: stopped sessions still borrow them).
 */
export async function pruneMirrors(now: Date, days = env().DOCKSIDE_GC_MIRROR_DAYS): Promise<MirrorPruneResult> {
  const root = mirrorsRoot();
  const out: MirrorPruneResult = { removed: [], compacted: [] };
  const ids = fs.existsSync(root) ? fs.readdirSync(root).filter((n) => fs.existsSync(path.join(root, n, "mirror.git"))) : [];
  if (!ids.length) return out;
  const { all, live } = await borrowers();
  const registered = new Set((await db().repository.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((r) => r.id));
  for (const id of ids) {
    const mirror = path.join(root, id, "mirror.git");
    if (days && !registered.has(id) && !all.has(id) && (await lastUsed(id, mirror)) < now.getTime() - days * DAY) {
      await removeMirror(id);
      out.removed.push(id);
      continue;
    }
    if (!live.has(id) && (await needsRepack(mirror))) {
      const r = await git([...HOST_GIT, "-c", "gc.pruneExpire=never", "-C", mirror, "gc", "--quiet", "--prune=never"], { timeoutMs: 30 * 60_000 });
      if (r.code === 0) out.compacted.push(id);
      else console.error(`[gc] git gc ${id}: ${r.stderr}`);
    }
  }
  return out;
}

/** The newest of: a session of the repository started, the mirror fetched (its FETCH_HEAD or refs written). */
async function lastUsed(repositoryId: string, mirror: string): Promise<number> {
  const s = await db().session.findFirst({ where: { repositoryId }, orderBy: { createdAt: "desc" }, select: { createdAt: true } });
  const times = [s?.createdAt.getTime() ?? 0];
  for (const f of ["FETCH_HEAD", "packed-refs", "refs/heads", "."]) {
    const st = fs.statSync(path.join(mirror, f), { throwIfNoEntry: false });
    if (st) times.push(st.mtimeMs);
  }
  return Math.max(...times);
}

async function needsRepack(mirror: string): Promise<boolean> {
  const r = await git([...HOST_GIT, "-C", mirror, "count-objects", "-v"]);
  if (r.code !== 0) return false;
  const n = (k: string) => Number(new RegExp(`^${k}: (\\d+)`, "m").exec(r.stdout)?.[1] ?? 0);
  return n("count") > 2000 || n("packs") > 30;
}
