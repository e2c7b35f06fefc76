// The CLI's database: the server's DATABASE_URL, or its embedded cluster. When the server is up
// the cluster is already running, on the port it recorded in the data directory, and we connect
// to it; otherwise we start it for the duration of the command. Migrations run first, as in the server.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { env } from "../config/env";
import { connectDb, disconnectDb } from "../db/client";
import { startEmbeddedPostgres, type EmbeddedDb } from "../db/embedded";
import { clusterDir, recordedPort } from "../db/embedded-location";
import { embeddedUrl, LEGACY_PASSWORD, readPassword } from "../db/embedded-login";
import { migrate } from "../db/migrate";
import { AppError } from "../errors";
import { ensureDefaultTeam } from "../sessions/team";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface OpenDatabase {
  url: string;
  kind: "external" | "embedded (server's)" | "embedded (started)";
  close(): Promise<void>;
}

/** The database's URL without opening it for the app: the server's cluster, or one started now. */
export async function reachDatabase(): Promise<{ url: string; kind: OpenDatabase["kind"]; embedded?: EmbeddedDb }> {
  const e = env();
  if (e.DATABASE_URL) return { url: e.DATABASE_URL, kind: "external" };
  // Without a password file, a cluster that answers is an older server's (legacy login, which
  // that server rotates at its next start) or another data directory's (refused below). The
  // recorded port is where the server runs; an older server recorded none.
  const password = readPassword(e.dataDir) ?? LEGACY_PASSWORD;
  const ports = [...new Set([recordedPort(e.dataDir), e.DOCKSIDE_PG_PORT].filter((p): p is number => p !== null))];
  for (const [i, port] of ports.entries()) {
    const url = embeddedUrl(password, port);
    // A stale record (someone else's server there now) falls through to the configured port.
    const ours = await runningCluster(url, clusterDir(e.dataDir)).catch((err: unknown) => {
      if (i === ports.length - 1) throw err;
      return false;
    });
    if (ours) return { url, kind: "embedded (server's)" };
  }
  const embedded = await startEmbeddedPostgres(e.dataDir, e.DOCKSIDE_PG_PORT);
  return { url: embedded.url, kind: "embedded (started)", embedded };
}

export async function openDatabase(): Promise<OpenDatabase> {
  const { url, kind, embedded } = await reachDatabase();
  try {
    await migrate(url, path.join(ROOT, "prisma/migrations"));
    connectDb(url);
    await ensureDefaultTeam();
  } catch (err) {
    await disconnectDb().catch(() => {});
    await embedded?.stop().catch(() => {});
    throw err;
  }
  return {
    url,
    kind,
    async close() {
      await disconnectDb();
      await embedded?.stop();
    },
  };
}

/** True when Dockside's own embedded cluster already answers on its port (the server runs). */
async function runningCluster(url: string, databaseDir: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ECONNREFUSED" || code === "57P03" /* starting up */) return false;
    if (code === "28P01") throw new AppError("conflict", `the PostgreSQL on port ${new URL(url).port} refused the login kept in ${path.dirname(databaseDir)}: DOCKSIDE_DATA_DIR and DOCKSIDE_PG_PORT must match the server's`);
    throw new AppError("unavailable", `something else answers on the embedded PostgreSQL's port (${url.replace(/:[^:@/]+@/, ":***@")}): ${(err as Error).message}; set DOCKSIDE_PG_PORT to the server's port`);
  }
  try {
    const dir = await client.query<{ data_directory: string }>("SHOW data_directory").then((r) => r.rows[0]?.data_directory, () => undefined);
    if (dir && real(dir) !== real(databaseDir)) {
      throw new AppError("conflict", `the PostgreSQL on this port keeps its data in ${dir}, not in ${databaseDir}: DOCKSIDE_DATA_DIR and DOCKSIDE_PG_PORT must match the server's`);
    }
    return true;
  } finally {
    await client.end().catch(() => {});
  }
}

function real(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}
