// A launch nothing is doing any more: the session is queued or starting, this instance holds it,
// but no launch runs and no container is looked after. It happens when the database failed at
// the wrong moment (a create whose first events could not be stored, a launch whose failure could
// not be recorded): without this sweep such a session would wait forever. Found by the takeover
// scan (every 5 s) after a minute of silence, and recovered (launched again from its row).
import { db } from "../db/client";
import type { Keeper } from "./recovery";
import { LAUNCHING } from "./recovery";

const SILENT_MS = 60_000;

export async function stalledLaunches(held: string[], k: Keeper): Promise<string[]> {
  const rows = await db().session.findMany({
    where: { id: { in: held }, status: { in: [...LAUNCHING] }, updatedAt: { lt: new Date(Date.now() - SILENT_MS) } },
    select: { id: true },
  });
  const stalled: string[] = [];
  for (const r of rows) {
    if (k.launching(r.id) || k.tracked(r.id)?.containerId) continue;
    console.log(`[sessions] ${r.id} was left ${LAUNCHING.join("/")} with no launch running: launching it again`);
    stalled.push(r.id);
  }
  return stalled;
}
