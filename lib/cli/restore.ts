// `dockside restore FILE`: a backup into a fresh data directory (DOCKSIDE_DATA_DIR) and its
// database (the embedded cluster made there, or DATABASE_URL's, which must hold no sessions).
// The database is migrated to the backup's level, loaded, then migrated to this checkout's, so a
// backup from an older Dockside restores into a newer one. `npm start` on the directory then
// shows the whole history.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { z } from "zod";
import { env } from "../config/env";
import { startEmbeddedPostgres, type EmbeddedDb } from "../db/embedded";
import { clusterDir } from "../db/embedded-location";
import { passwordPath } from "../db/embedded-login";
import { migrate } from "../db/migrate";
import { AppError } from "../errors";
import { Manifest, tar, VERSION } from "./archive";
import { defineCommand } from "./command";
import { loadDatabase } from "./dump";

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../prisma/migrations");

export async function restore(file: string, opts: { force?: boolean } = {}) {
  const e = env();
  const dataDir = e.dataDir;
  const src = path.resolve(file);
  if (!fs.existsSync(src)) throw new AppError("not_found", `no backup at ${src}`);
  const started = Date.now();
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const stage = fs.mkdtempSync(path.join(path.dirname(dataDir), ".dockside-restore-"));
  let embedded: EmbeddedDb | undefined;
  try {
    const manifest = await readManifest(src, stage);
    const known = new Set(fs.readdirSync(MIGRATIONS));
    const unknown = manifest.database.migrations.filter((m) => !known.has(m));
    if (unknown.length) throw new AppError("conflict", `the backup was made by a newer Dockside (migrations ${unknown.join(", ")} are not in this checkout): update Dockside, then restore`);
    if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length && !opts.force) {
      throw new AppError("conflict", `${dataDir} is not empty: restore into a fresh data directory (set DOCKSIDE_DATA_DIR to a new path), or pass --force to restore over it`);
    }
    if (!e.DATABASE_URL && clusterRunning(dataDir)) throw new AppError("conflict", `Dockside's database for ${dataDir} is running: stop Dockside before restoring over it`);
    if (e.DATABASE_URL && !opts.force) await assertNoSessions(e.DATABASE_URL);

    await tar(["-xf", src, "-C", stage, "db"]);
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Over an existing cluster (--force), its own password stays: the backup's is another cluster's.
    const ownPassword = fs.existsSync(path.join(clusterDir(dataDir), "PG_VERSION")) && fs.existsSync(passwordPath(dataDir)) ? fs.readFileSync(passwordPath(dataDir)) : null;
    if (manifest.files.paths.length) await tar(["-xpf", src, "-C", dataDir, "--strip-components=1", "files"]);
    if (ownPassword) fs.writeFileSync(passwordPath(dataDir), ownPassword, { mode: 0o600 });
    const relinked = relinkAlternates(dataDir, manifest.dataDir);

    let url = e.DATABASE_URL;
    if (!url) {
      embedded = await startEmbeddedPostgres(dataDir, e.DOCKSIDE_PG_PORT);
      url = embedded.url;
    }
    // The backup's schema first (data migrations of later versions must see the old rows).
    const level = path.join(stage, "migrations");
    fs.mkdirSync(level);
    for (const m of manifest.database.migrations) fs.symlinkSync(path.join(MIGRATIONS, m), path.join(level, m));
    await migrate(url, level);
    const rows = await loadDatabase(url, path.join(stage, "db"), manifest.database);
    const upgraded = await migrate(url, MIGRATIONS);
    return {
      dataDir,
      database: e.DATABASE_URL ? "DATABASE_URL" : `embedded (${clusterDir(dataDir)})`,
      backupCreatedAt: manifest.createdAt,
      rows,
      tables: manifest.database.tables.length,
      files: manifest.files.paths.length,
      relinkedRepositories: relinked,
      appliedMigrations: upgraded,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    await embedded?.stop();
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

async function readManifest(src: string, stage: string): Promise<Manifest> {
  await tar(["-xf", src, "-C", stage, "manifest.json"]).catch(() => {
    throw new AppError("invalid", `${src} is not a Dockside backup (no manifest.json in it)`);
  });
  const parsed = Manifest.safeParse(JSON.parse(fs.readFileSync(path.join(stage, "manifest.json"), "utf8")));
  if (!parsed.success) throw new AppError("invalid", `${src} is not a Dockside backup this version reads: ${parsed.error.issues[0]?.message}`);
  if (parsed.data.version > VERSION) throw new AppError("conflict", `the backup's format version ${parsed.data.version} is newer than this Dockside reads (${VERSION}): update Dockside`);
  return parsed.data;
}

function clusterRunning(dataDir: string): boolean {
  const pidFile = path.join(clusterDir(dataDir), "postmaster.pid");
  if (!fs.existsSync(pidFile)) return false;
  try {
    process.kill(Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]), 0);
    return true;
  } catch {
    return false;
  }
}

async function assertNoSessions(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ n: number }>(`SELECT CASE WHEN to_regclass('public.sessions') IS NULL THEN 0 ELSE (SELECT count(*)::int FROM public.sessions) END AS n`);
    if (r.rows[0].n > 0) throw new AppError("conflict", `the database at DATABASE_URL already holds ${r.rows[0].n} sessions: restore into an empty database, or pass --force to replace its contents`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** host.git repositories borrow from the mirrors by absolute path: point them at the new data directory. */
function relinkAlternates(dataDir: string, oldDataDir: string): number {
  if (path.resolve(oldDataDir) === dataDir) return 0;
  const files: string[] = [];
  const sessions = path.join(dataDir, "sessions");
  for (const id of fs.existsSync(sessions) ? fs.readdirSync(sessions) : []) files.push(path.join(sessions, id, "host.git/objects/info/alternates"));
  let n = 0;
  for (const f of files.filter((x) => fs.existsSync(x))) {
    const before = fs.readFileSync(f, "utf8");
    const after = before
      .split("\n")
      .map((line) => (line === oldDataDir || line.startsWith(`${oldDataDir}/`) ? dataDir + line.slice(oldDataDir.length) : line))
      .join("\n");
    if (after !== before) {
      fs.writeFileSync(f, after);
      n++;
    }
  }
  return n;
}

export const restoreCommand = defineCommand({
  summary: "restore a backup into a fresh data directory (DOCKSIDE_DATA_DIR) and its database; --force restores over existing data",
  usage: "FILE [--force]",
  positional: "file",
  switches: ["force"],
  database: false,
  flags: z.object({ file: z.string().min(1), force: z.boolean().default(false) }),
  run: (f) => restore(f.file, { force: f.force }),
});
