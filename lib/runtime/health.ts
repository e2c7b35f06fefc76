// What /api/health and the start-up banner report: checkUp() for anyone, checkHealth() for a
// signed-in caller.
import { db } from "../db/client";
import { databaseOutage } from "../db/unavailable";
import { engineStatus } from "../sandbox/docker";
import { sessionFsMode } from "../sandbox/fs-mode";
import { imageStatus } from "../sandbox/image";
import { engineLoads } from "../sandbox/engines";
import { warmPoolStatus } from "../sandbox/warm-pool";
import type { Health } from "../protocol/api";
import { lastWriteProbe, type WriteProbe } from "./write-probe";
import { realtimeStatus, type RealtimeStatus } from "../realtime/status";

/** Is Dockside up (its database answers)? All an anonymous caller learns. */
export async function checkUp(): Promise<boolean> {
  if (databaseOutage()) return false;
  return db().$queryRaw`SELECT 1`.then(() => true, () => false);
}

/**
 * Health as a signed-in caller sees it; `disk` is the last write probe (write-probe.ts), `realtime`
 * the adapter that carries live events between instances (absent without a socket server).
 */
export async function checkHealth(dbKind: "embedded" | "external"): Promise<Health & { disk?: WriteProbe; realtime?: RealtimeStatus }> {
  const database = await databaseHealth(dbKind);
  const engine = await engineStatus();
  const docker = engine.ok ? { ok: true, address: engine.address, version: engine.version } : { ok: false, address: engine.address, error: engine.error };
  const image = engine.ok
    ? await imageStatus().catch((err: Error) => ({ ready: false, tag: "", building: false, error: err.message }))
    : { ready: false, tag: "", building: false, error: "Docker engine unreachable" };
  const sessionFs = await sessionFsMode().catch(() => undefined);
  const disk = lastWriteProbe();
  // Each engine with its load; `docker` and `ok` stay about the default engine (where the image is built).
  const engines = (await engineLoads()).map((l) => ({ address: l.engine, reachable: l.reachable, sandboxes: l.sandboxes, ...(l.error ? { error: l.error } : {}) }));
  const realtime = realtimeStatus();
  // A pool that fails to fill only slows starts down (a session boots its own sandbox): not a failure of health.
  const pool = warmPoolStatus();
  const warmPool = pool && pool.size > 0 ? pool : undefined;
  const ok = database.ok && docker.ok && image.ready && disk?.ok !== false && realtime?.connected !== false;
  return { ok, database, docker, image, engines, ...(sessionFs ? { sessionFs } : {}), ...(disk ? { disk } : {}), ...(realtime ? { realtime } : {}), ...(warmPool ? { warmPool } : {}) };
}

async function databaseHealth(kind: "embedded" | "external"): Promise<Health["database"]> {
  const outage = databaseOutage();
  // "Why and since when": the supervisor's account, without waiting on a connection that fails.
  if (outage) return { ok: false, kind, error: `down since ${outage.since.toISOString()}: ${outage.reason}` };
  return db()
    .$queryRaw`SELECT 1`.then(() => ({ ok: true, kind }))
    .catch((err: Error) => ({ ok: false, kind, error: err.message }));
}
