// Background work on PostgreSQL (pg-boss): routine runs, the minute tick (schedules, alerts) and
// memory consolidation. Jobs live in the database, so they survive restarts and run once however
// many Dockside instances share it; a schedule fires once per slot across instances (pg-boss's
// cron), and the work itself is idempotent on our own rows (compare-and-set, unique keys).
//
// One PgBoss per process, on globalThis (Next's route handlers are a second module graph).
import pg from "pg";
import PgBoss from "pg-boss";

export interface JobDef<T extends object = object> {
  name: string;
  handler(data: T): Promise<void>;
  /** A 5-field cron (UTC): pg-boss sends the job once per slot, whatever the number of instances. */
  schedule?: string;
  /** How often a failed job is tried again (default 2). */
  retryLimit?: number;
}

type State = { boss: PgBoss; defs: JobDef[] };
const g = globalThis as unknown as { __docksideJobs?: State; __docksideJobsLocal?: boolean };

/** Starts pg-boss on the database and works every job; idempotent per process. */
export async function startJobs(databaseUrl: string, defs: JobDef[], log: (line: string) => void = console.log): Promise<{ stop(): Promise<void> }> {
  if (g.__docksideJobs) return { stop: stopJobs };
  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: "pgboss",
    max: 4,
    application_name: "dockside-jobs",
    // Look at cron schedules every 15 s: a minute schedule fires within a few seconds of its slot.
    cronMonitorIntervalSeconds: 15,
  });
  boss.on("error", (err: Error) => log(`[jobs] ${err.message}`));
  // pg-boss creates its schema and each queue's partition with DDL; two instances starting at once
  // on a fresh database can deadlock on it, so one instance at a time sets up (a session lock).
  await withSetupLock(databaseUrl, async () => {
    await boss.start();
    for (const def of defs) {
      await boss.createQueue(def.name, { name: def.name, retryLimit: def.retryLimit ?? 2, retryDelay: 5, retryBackoff: true, expireInSeconds: 15 * 60 });
      if (def.schedule) await boss.schedule(def.name, def.schedule, {}, { tz: "UTC", singletonKey: def.name });
    }
  });
  for (const def of defs) {
    await boss.work<object>(def.name, { pollingIntervalSeconds: 2, batchSize: 1 }, async (jobs) => {
      for (const job of jobs) await def.handler(job.data);
    });
  }
  g.__docksideJobs = { boss, defs };
  return { stop: stopJobs };
}

export async function stopJobs(): Promise<void> {
  const state = g.__docksideJobs;
  g.__docksideJobs = undefined;
  await state?.boss.stop({ graceful: true, wait: true, timeout: 10_000 }).catch(() => undefined);
}

/**
 * Queues a job. Without a running pg-boss (the CLI, some tests) the handler runs in this process
 * at once, so nothing is lost; with it, the job is stored and worked by whichever instance takes it.
 */
export async function sendJob<T extends object>(name: string, data: T, opts: PgBoss.SendOptions = {}): Promise<string | null> {
  const state = g.__docksideJobs;
  if (!state) {
    if (!localDefs.has(name)) await import("./registry");
    const def = localDefs.get(name);
    if (!def) throw new Error(`job ${name} is not registered`);
    await def.handler(data);
    return null;
  }
  return state.boss.send(name, data, opts);
}

/** Whether this process works jobs with pg-boss (else sendJob runs the handler inline, at once). */
export const jobsStarted = (): boolean => g.__docksideJobs !== undefined;

/** Job definitions known to this process, for sendJob without pg-boss (set by lib/jobs/registry.ts). */
const localDefs = new Map<string, JobDef>();
export function registerLocal(defs: JobDef[]): void {
  for (const d of defs) localDefs.set(d.name, d);
}

async function withSetupLock(databaseUrl: string, work: () => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "dockside-jobs-setup" });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('dockside-jobs-setup'))");
    await work();
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext('dockside-jobs-setup'))").catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
