// `dockside backup FILE`: the database and the data directory's durable parts in one tar, taken
// while Dockside runs. The database is dumped first, in one snapshot; the files after it, so
// every commit a row names is already in the repositories (git objects are only ever added).
// Not included: the live cluster's files (the dump stands for them), loop images of session
// filesystems (workspaces: --session-images), the environments cache (--environments).
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { env } from "../config/env";
import { FORMAT, tar, VERSION, type Manifest } from "./archive";
import { defineCommand } from "./command";
import { reachDatabase } from "./database";
import { dumpDatabase } from "./dump";

export interface BackupOptions {
  environments?: boolean;
  sessionImages?: boolean;
}

export async function backup(file: string, databaseUrl: string, opts: BackupOptions = {}) {
  const dataDir = env().dataDir;
  const out = path.resolve(file);
  if (fs.existsSync(out)) throw new Error(`${out} already exists: choose a new file name`);
  const started = Date.now();
  const stage = fs.mkdtempSync(path.join(path.dirname(out), ".dockside-backup-"));
  const partial = `${out}.partial`;
  try {
    const database = await dumpDatabase(databaseUrl, path.join(stage, "db"));
    const paths = durablePaths(dataDir, opts);
    const manifest: Manifest = {
      format: FORMAT,
      version: VERSION,
      createdAt: new Date().toISOString(),
      dataDir,
      database,
      files: { paths, environments: !!opts.environments, sessionImages: !!opts.sessionImages },
    };
    fs.writeFileSync(path.join(stage, "manifest.json"), JSON.stringify(manifest, null, 2));
    fs.rmSync(partial, { force: true });
    // It holds the server secret and every team's data: for the owner's eyes only, from the start.
    fs.closeSync(fs.openSync(partial, "wx", 0o600));
    await tar(["-cf", partial, "-C", stage, "manifest.json", "db"]);
    if (paths.length) {
      // Appended with a files/ prefix; sessions may come and go while we read.
      await tar(["-rf", partial, "--transform=s,^,files/,", "--ignore-failed-read", "--warning=no-file-changed", "--warning=no-file-removed", "--exclude=repos/lost+found", "-C", dataDir, ...paths], { live: true });
    }
    fs.chmodSync(partial, 0o600);
    fs.renameSync(partial, out);
    return {
      file: out,
      bytes: fs.statSync(out).size,
      tables: database.tables.length,
      rows: database.tables.reduce((n, t) => n + t.rows, 0),
      sessionRepositories: paths.filter((p) => p.endsWith("/host.git")).length,
      files: paths.length,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
    fs.rmSync(partial, { force: true });
  }
}

/** What to keep, relative to the data directory. */
function durablePaths(dataDir: string, opts: BackupOptions): string[] {
  const out: string[] = [];
  const has = (rel: string) => fs.existsSync(path.join(dataDir, rel));
  for (const f of ["secret", "postgres.password"]) if (has(f)) out.push(f);
  const sessions = path.join(dataDir, "sessions");
  for (const id of has("sessions") ? fs.readdirSync(sessions).sort() : []) {
    if (has(`sessions/${id}/host.git`)) out.push(`sessions/${id}/host.git`);
    if (opts.sessionImages) for (const img of ["fs.img", "run.img"]) if (has(`sessions/${id}/${img}`)) out.push(`sessions/${id}/${img}`);
  }
  // The mirrors host.git repositories borrow their objects from (the directory, not repos.img).
  if (has("repos") && fs.readdirSync(path.join(dataDir, "repos")).some((n) => n !== "lost+found")) out.push("repos");
  if (opts.environments && has("environments")) out.push("environments");
  return out;
}

export const backupCommand = defineCommand({
  summary: "write a backup of the database and the data directory to FILE (a tar), while Dockside runs or not",
  usage: "FILE [--environments] [--session-images]",
  positional: "file",
  switches: ["environments", "session-images"],
  database: false,
  flags: z.object({ file: z.string().min(1), environments: z.boolean().default(false), "session-images": z.boolean().default(false) }),
  run: async (f) => {
    const db = await reachDatabase();
    try {
      return await backup(f.file, db.url, { environments: f.environments, sessionImages: f["session-images"] });
    } finally {
      await db.embedded?.stop();
    }
  },
});
