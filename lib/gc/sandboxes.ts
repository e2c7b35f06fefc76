// Stopped sandboxes are removed after DOCKSIDE_GC_SANDBOX_HOURS: a stopped container holds its
// writable layer and the engine's bookkeeping, and nothing in it matters once the worker saved its
// state (in run.img) and the workspace (in fs.img). The next follow-up finds no container and
// the launch creates a new one on the same session filesystem: the agent resumes as after a stop.
import { env } from "../config/env";
import { db } from "../db/client";
import { TERMINAL_STATUSES } from "../events/status";
import { docker, isEngineUnreachable } from "../sandbox/docker";

const HOUR = 3_600_000;

/**
 * Removes the containers of sessions stopped or failed before `now` minus the retention. Safe to
 * run on several instances at once: removal of a missing container is a no-op, and the row is
 * cleared only if it still names the container removed (a follow-up may have made a new one).
 */
export async function collectSandboxes(now: Date, hours = env().DOCKSIDE_GC_SANDBOX_HOURS): Promise<string[]> {
  if (!hours) return [];
  const cutoff = new Date(now.getTime() - hours * HOUR);
  const rows = await db().session.findMany({
    where: { status: { in: [...TERMINAL_STATUSES] }, containerId: { not: null }, endedAt: { lt: cutoff } },
    select: { id: true, containerId: true, engine: true },
    orderBy: { endedAt: "asc" },
    take: 500,
  });
  const removed: string[] = [];
  for (const r of rows) {
    if (!(await removeStopped(r.containerId!, r.engine))) continue;
    const done = await db().session.updateMany({
      where: { id: r.id, containerId: r.containerId, status: { in: [...TERMINAL_STATUSES] } },
      data: { containerId: null, sandboxRemovedAt: now },
    });
    if (done.count) removed.push(r.id);
  }
  return removed;
}

/**
 * Removes a container unless it runs (no force: the engine refuses a running one, so a follow-up
 * that has just started it wins). True when it is gone.
 */
export async function removeStopped(containerId: string, engine?: string | null): Promise<boolean> {
  try {
    await docker(engine).getContainer(containerId).remove({ force: false, v: true });
    return true;
  } catch (err) {
    const code = (err as { statusCode?: number }).statusCode;
    if (code === 404) return true;
    if (code === 409) return false; // running (or being removed by another instance)
    // Its engine is away (several engines): try again at the next run.
    if (isEngineUnreachable(err)) return false;
    throw err;
  }
}
