// Start-up: database (embedded unless DATABASE_URL), migrations, Docker engine, sandbox image,
// orchestrator. Shared by server.ts, the CLI and the integration tests.
import { env } from "../config/env";
import { connectDb, disconnectDb } from "../db/client";
import { startEmbeddedPostgres, type EmbeddedDb } from "../db/embedded";
import { migrate } from "../db/migrate";
import { clusterDir } from "../db/embedded-location";
import { adoptSharedSecret } from "../auth/shared-secret";
import { superviseEmbedded, superviseExternal } from "../db/supervise";
import { replayAllPendingUsage } from "../sessions/usage-journal";
import { dataDirFreeBytes, formatBytes, startDiskGuard } from "../sandbox/disk-guard";
import { engineStatus } from "../sandbox/docker";
import { sessionFsMode } from "../sandbox/fs-mode";
import { mountMirrorsFs } from "../git/mirror";
import { ensureImage, imageStatus } from "../sandbox/image";
import { Orchestrator } from "../sessions/orchestrator";
import { ensureDefaultTeam } from "../sessions/team";
import { setRuntime, type Runtime } from "./boot";
import { checkHealth } from "./health";
import { startWebhookDelivery } from "../notifications/delivery";
import { startJobs } from "../jobs/boss";
import { JOBS } from "../jobs/registry";

export interface Started {
  runtime: Runtime;
  databaseUrl: string;
  describe: string[];
  stop(): Promise<void>;
}

export async function startDatabase(): Promise<{ url: string; kind: "embedded" | "external"; embedded?: EmbeddedDb }> {
  const e = env();
  if (e.DATABASE_URL) return { url: e.DATABASE_URL, kind: "external" };
  const embedded = await startEmbeddedPostgres(e.dataDir, e.DOCKSIDE_PG_PORT);
  return { url: embedded.url, kind: "embedded", embedded };
}

export async function startRuntime(opts: { log?: (line: string) => void; buildImage?: boolean } = {}): Promise<Started> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const database = await startDatabase();
  const applied = await migrate(database.url);
  connectDb(database.url);
  // A killed embedded cluster is restarted; meanwhile requests answer 503 (lib/db/supervise.ts).
  const supervisor = database.embedded ? superviseEmbedded(env().dataDir, env().DOCKSIDE_PG_PORT, database.embedded, log) : superviseExternal(database.url, log);
  // Usage of model calls kept on disk by a Dockside that stopped during an outage (lib/sessions/usage-journal.ts).
  void replayAllPendingUsage(env().dataDir, log);
  await ensureDefaultTeam();
  // Several instances on one database share one generated secret (cookies, sealed credentials).
  await adoptSharedSecret();
  // Pending webhook deliveries (from before a restart too) go out from here.
  const webhooks = startWebhookDelivery();
  // Routines, alerts and memory consolidation: jobs on PostgreSQL, shared by every instance.
  const jobs = await startJobs(database.url, JOBS, log);

  const orchestrator = new Orchestrator();
  const runtime: Runtime = { orchestrator, health: () => checkHealth(database.kind) };
  setRuntime(runtime);

  const describe = [
    `database: ${database.kind === "embedded" ? `embedded PostgreSQL (${clusterDir(env().dataDir)}, port ${env().DOCKSIDE_PG_PORT})` : "DATABASE_URL"}${applied.length ? `, applied ${applied.length} migration(s)` : ""}`,
  ];
  describe.push((await sessionFsMode()).detail);
  // Sessions borrow objects from the repositories' mirrors: reviews and sandboxes need them mounted.
  await mountMirrorsFs().catch((err) => describe.push(`mirrors: ${(err as Error).message}`));
  // Below the free-space floor running sessions are stopped (checked every 15 s).
  const diskGuard = startDiskGuard();
  const free = await dataDirFreeBytes().catch(() => NaN);
  if (free < env().DOCKSIDE_MIN_FREE_MB * 1024 * 1024) describe.push(`disk: only ${formatBytes(free)} free on the data directory's disk, below the ${env().DOCKSIDE_MIN_FREE_MB} MB floor (DOCKSIDE_MIN_FREE_MB): running sessions will be stopped until space is freed`);
  const engine = await engineStatus();
  if (!engine.ok) {
    describe.push(`docker: UNREACHABLE at ${engine.address} (${engine.error}); sessions cannot start until it is back, and are recovered as soon as it answers`);
  } else {
    describe.push(`docker: engine ${engine.version} at ${engine.address}`);
    const image = await imageStatus().catch((err: Error) => ({ ready: false, tag: "", error: err.message }));
    if (image.ready) describe.push(`sandbox image: ${image.tag} ready`);
    else if (opts.buildImage !== false) {
      describe.push(`sandbox image: ${image.tag} missing, building now (progress below)`);
      void ensureImage(log).catch((err) => log(`[image] build failed: ${(err as Error).message}`));
    } else describe.push(`sandbox image: ${image.tag} missing`);
  }
  // From now on the engine is watched: whenever it answers (now, or when it comes back later)
  // sessions are recovered and the idle reaper runs; dead containers settle their sessions.
  await orchestrator.watchEngine({ idleMinutes: env().DOCKSIDE_IDLE_STOP_MINUTES, log });

  return {
    runtime,
    databaseUrl: database.url,
    describe,
    async stop() {
      diskGuard.stop();
      await jobs.stop();
      await webhooks.stop();
      await orchestrator.shutdown();
      setRuntime(undefined);
      await disconnectDb();
      await supervisor.stop();
    },
  };
}
