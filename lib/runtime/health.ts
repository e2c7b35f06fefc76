// What /api/health and the start-up banner report: checkUp() for anyone, checkHealth() for a
// signed-in caller.
import { db } from "../db/client";
import { engineStatus } from "../sandbox/docker";
import { sessionFsMode } from "../sandbox/fs-mode";
import { imageStatus } from "../sandbox/image";
import type { Health } from "../protocol/api";

/** Is Dockside up (its database answers)? All an anonymous caller learns. */
export async function checkUp(): Promise<boolean> {
  return db().$queryRaw`SELECT 1`.then(() => true, () => false);
}

export async function checkHealth(dbKind: "embedded" | "external"): Promise<Health> {
  const database = await db()
    .$queryRaw`SELECT 1`.then(() => ({ ok: true, kind: dbKind }))
    .catch((err: Error) => ({ ok: false, kind: dbKind, error: err.message }));
  const engine = await engineStatus();
  const docker = engine.ok ? { ok: true, address: engine.address, version: engine.version } : { ok: false, address: engine.address, error: engine.error };
  const image = engine.ok
    ? await imageStatus().catch((err: Error) => ({ ready: false, tag: "", building: false, error: err.message }))
    : { ready: false, tag: "", building: false, error: "Docker engine unreachable" };
  const sessionFs = await sessionFsMode().catch(() => undefined);
  return { ok: database.ok && docker.ok && image.ready, database, docker, image, ...(sessionFs ? { sessionFs } : {}) };
}
