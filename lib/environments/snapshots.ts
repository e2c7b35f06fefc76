// Cached environments: tars of what a repository's setup left in a sandbox, kept on the host at
// <data dir>/environments/<repositoryId>/<key>.tar (directories 0700, files 0600) and streamed
// back to later sessions with the same key. The host never unpacks them: they are the agent's
// bytes, opened only inside a sandbox. The cache is bounded by DOCKSIDE_ENV_CACHE_GB for the whole
// installation; the least recently used go first.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { recordAudit } from "../audit/record";
import type { Access } from "../auth/authorize";
import { env } from "../config/env";
import { db } from "../db/client";
import type { EnvironmentSnapshot } from "../db/generated/client";
import { AppError } from "../errors";
import type { EnvironmentList, EnvironmentSnapshotDto } from "../protocol/environments";

export { finishSetup } from "./finish-setup";

const KEY = /^[0-9a-f]{64}$/;
const ID = /^[A-Za-z0-9-]{1,64}$/;
const MB = 1024 * 1024;

export const environmentsRoot = () => path.join(env().dataDir, "environments");
export const cacheLimitBytes = () => Math.floor(env().DOCKSIDE_ENV_CACHE_GB * 1024 ** 3);

/** Where the snapshot of (repository, key) lives; both are checked so the path stays inside the cache. */
export function snapshotPath(repositoryId: string, key: string): string {
  if (!ID.test(repositoryId) || !KEY.test(key)) throw new AppError("invalid", "not a cached environment's repository and key");
  return path.join(environmentsRoot(), repositoryId, `${key}.tar`);
}

/** What the session's plan expects to be stored (the plan's key and basis; null when it planned no setup). */
export interface ExpectedSnapshot {
  key: string | null;
  basis: string | null;
}

/**
 * Keeps the tar a session's setup uploaded (`file`, a host-only file) as the environment of
 * `key`; the file is moved, never unpacked. `expected` is what planSetup gave the session (its
 * PlannedSetup will do); without it the plan is worked out again. Resolves to the stored
 * environment, or null when it is too big to keep (the file is removed). Then evicts the least
 * recently used until the cache fits.
 */
export async function storeSnapshot(sessionId: string, key: string, setupMs: number, file: string, expected?: ExpectedSnapshot | null): Promise<EnvironmentSnapshotDto | null> {
  // plan.ts reads snapshots too: loaded when needed rather than in a cycle at start-up.
  if (expected === undefined) expected = await (await import("./plan")).planSetup(sessionId);
  if (!expected?.key || expected.basis === null) throw new AppError("invalid", "this session's setup plan has no environment to store");
  if (key !== expected.key) throw new AppError("invalid", "the environment's key is not the one this session's setup plan gave");
  const s = await db().session.findUnique({ where: { id: sessionId }, select: { teamId: true, repositoryId: true } });
  if (!s?.repositoryId) throw new AppError("invalid", "this session has no registered repository to keep an environment for");
  const st = fs.lstatSync(file);
  if (!st.isFile()) throw new AppError("invalid", "the uploaded environment is not a file");
  if (st.size > cacheLimitBytes() || st.size > env().DOCKSIDE_ENV_SNAPSHOT_MAX_MB * MB) {
    fs.rmSync(file, { force: true });
    return null;
  }
  const dest = snapshotPath(s.repositoryId, key);
  const dir = privateDir(path.dirname(dest));
  // Into place under a temporary name, then renamed: a session restoring the previous tar of this
  // key keeps reading the file it opened.
  const part = path.join(dir, `.${key}.${crypto.randomUUID()}.part`);
  try {
    moveFile(file, part);
    fs.chmodSync(part, 0o600);
    fs.renameSync(part, dest);
  } finally {
    fs.rmSync(part, { force: true });
  }
  const data = { teamId: s.teamId, basis: expected.basis, sizeBytes: BigInt(st.size), setupMs: Math.min(Math.max(0, Math.round(setupMs)), 2 ** 31 - 1), sessionId };
  const now = new Date();
  const row = await db().environmentSnapshot.upsert({
    where: { repositoryId_key: { repositoryId: s.repositoryId, key } },
    create: { id: crypto.randomUUID(), repositoryId: s.repositoryId, key, ...data },
    update: { ...data, uses: 0, createdAt: now, lastUsedAt: now },
  });
  await evict(row.id);
  return toDto(row);
}

/** The stored environment of (repository, key) whose file is there, or null (a row without its file is dropped). */
export async function snapshotFor(repositoryId: string, key: string): Promise<{ id: string; file: string; basis: string; sizeBytes: number } | null> {
  const row = await db().environmentSnapshot.findUnique({ where: { repositoryId_key: { repositoryId, key } } });
  if (!row) return null;
  const file = snapshotPath(repositoryId, key);
  if (!fs.lstatSync(file, { throwIfNoEntry: false })?.isFile()) {
    await db().environmentSnapshot.deleteMany({ where: { id: row.id } });
    return null;
  }
  return { id: row.id, file, basis: row.basis, sizeBytes: Number(row.sizeBytes) };
}

/** A session restored it: counts the use and makes it the most recently used. */
export async function markUsed(id: string): Promise<void> {
  await db().environmentSnapshot.updateMany({ where: { id }, data: { uses: { increment: 1 }, lastUsedAt: new Date() } });
}

/** The team's cached environments (of one repository when given), most recently used first. */
export async function listEnvironments(teamId: string, repositoryId?: string): Promise<EnvironmentList> {
  const rows = await db().environmentSnapshot.findMany({ where: { teamId, ...(repositoryId ? { repositoryId } : {}) }, orderBy: [{ lastUsedAt: "desc" }, { id: "asc" }] });
  const environments = rows.map(toDto);
  return { environments, totalBytes: environments.reduce((n, e) => n + e.sizeBytes, 0), limitBytes: cacheLimitBytes() };
}

/** Deletes a repository's cached environments (one when `id` is given; 404 when it is not the repository's). Audited. */
export async function deleteEnvironments(access: Access, repositoryId: string, id?: string): Promise<{ deleted: number }> {
  const repo = await db().repository.findUnique({ where: { id: repositoryId }, select: { teamId: true } });
  if (!repo || repo.teamId !== access.teamId) throw new AppError("not_found", "repository not found");
  const rows = await db().environmentSnapshot.findMany({ where: { repositoryId, ...(id ? { id } : {}) } });
  if (id && !rows.length) throw new AppError("not_found", "cached environment not found");
  for (const r of rows) await removeSnapshot(r);
  if (rows.length) {
    await recordAudit({ teamId: access.teamId, actor: access.caller.user, action: "repo.updated", targetType: "repository", targetId: repositoryId, data: { environmentsDeleted: rows.map((r) => r.basis) } });
  }
  return { deleted: rows.length };
}

/** Removes the files of repositories whose rows are gone (a removed repository, a deleted team). */
export function removeSnapshotFiles(repositoryIds: string[]): void {
  for (const id of repositoryIds) {
    if (ID.test(id)) fs.rmSync(path.join(environmentsRoot(), id), { recursive: true, force: true });
  }
}

/** Least recently used first, until the cache fits its limit; `keep` (just stored) stays. */
async function evict(keep: string): Promise<void> {
  const limit = cacheLimitBytes();
  const rows = await db().environmentSnapshot.findMany({ orderBy: [{ lastUsedAt: "asc" }, { createdAt: "asc" }] });
  let total = rows.reduce((n, r) => n + Number(r.sizeBytes), 0);
  for (const r of rows) {
    if (total <= limit) return;
    if (r.id === keep) continue;
    await removeSnapshot(r);
    total -= Number(r.sizeBytes);
  }
}

async function removeSnapshot(r: Pick<EnvironmentSnapshot, "id" | "repositoryId" | "key">): Promise<void> {
  // The row first: no new session is pointed at the file; one already streaming it keeps its open file.
  await db().environmentSnapshot.deleteMany({ where: { id: r.id } });
  fs.rmSync(snapshotPath(r.repositoryId, r.key), { force: true });
}

function toDto(r: EnvironmentSnapshot): EnvironmentSnapshotDto {
  return {
    id: r.id,
    repositoryId: r.repositoryId,
    key: r.key,
    basis: r.basis,
    sizeBytes: Number(r.sizeBytes),
    setupMs: r.setupMs,
    uses: r.uses,
    createdAt: r.createdAt.toISOString(),
    lastUsedAt: r.lastUsedAt.toISOString(),
    sessionId: r.sessionId,
  };
}

/** Renames within a filesystem; across filesystems copies (to a new file) and removes the source. */
function moveFile(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw err;
    fs.copyFileSync(from, to, fs.constants.COPYFILE_EXCL);
    fs.rmSync(from, { force: true });
  }
}

/** Creates `<root>/<repository>` 0700 as needed; refuses anything there that is not a directory of ours. */
function privateDir(dir: string): string {
  for (const d of [environmentsRoot(), dir]) {
    fs.mkdirSync(d, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(d);
    if (!st.isDirectory() || st.uid !== (process.getuid?.() ?? 0)) throw new AppError("internal", `${d} is not a directory of the Dockside host`);
    if ((st.mode & 0o077) !== 0) fs.chmodSync(d, 0o700);
  }
  return dir;
}
