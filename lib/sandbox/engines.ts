// Several Docker engines (DOCKSIDE_DOCKER_HOSTS): which engines there are, how loaded each is, and
// where a session runs. A session is placed once, on the reachable engine with the fewest of our
// running sandboxes, and recorded in `sessions.engine` before its container exists; it stays there
// for its whole life unless that engine is gone when it must start again (then it moves, and its
// files come along because every engine sees the same data directory).
import { db } from "../db/client";
import { AppError } from "../errors";
import { countRunningSandboxes } from "./container";
import { configuredEngines, dockerAddress, engineStatus } from "./docker";

/** Several engines are configured (else everything runs on the default engine, `engine` stays null). */
export function multiEngine(): boolean {
  return configuredEngines().length > 1;
}

/** Every engine's address, the default first. */
export function engineList(): string[] {
  return configuredEngines().length ? configuredEngines() : [dockerAddress()];
}

/** Whether a session's recorded engine (null: the default) is `engine`. */
export function runsOn(sessionEngine: string | null | undefined, engine: string): boolean {
  return (sessionEngine ?? dockerAddress()) === engine;
}

export interface EngineLoad {
  engine: string;
  reachable: boolean;
  /** Our running sandboxes there (null when unreachable). */
  sandboxes: number | null;
  error?: string;
}

/** Each engine: does it answer, and how many of our sandboxes run on it. */
/** `counts: false`: whether each engine answers, without listing its containers (a session's creation asks only that). */
export async function engineLoads(o: { counts?: boolean } = {}): Promise<EngineLoad[]> {
  return Promise.all(
    engineList().map(async (engine): Promise<EngineLoad> => {
      const status = await engineStatus(2000, engine);
      if (!status.ok) return { engine, reachable: false, sandboxes: null, error: status.error };
      if (o.counts === false) return { engine, reachable: true, sandboxes: null };
      const sandboxes = await countRunningSandboxes(engine).catch(() => null);
      return sandboxes === null ? { engine, reachable: false, sandboxes, error: "listing containers failed" } : { engine, reachable: true, sandboxes };
    }),
  );
}

// Any 64-bit key of our own for pg_advisory_xact_lock: placements take turns across instances.
const PLACEMENT_LOCK = 0x646f636b706c6163n;

/**
 * The engine a session starts on. One engine configured: null (the default, as before). Else its
 * recorded engine while that answers; otherwise (new, or its engine is gone) the reachable engine
 * with the fewest sandboxes, counting sessions placed but not started yet, recorded on the row.
 * Placements are serialized in PostgreSQL so two at once never both see the same counts.
 */
export async function placeSession(sessionId: string, current: string | null, fresh: boolean): Promise<string | null> {
  if (!multiEngine()) return current;
  // A session started before several engines were configured ran on the default one.
  const recorded = current ?? (fresh ? null : dockerAddress());
  if (recorded && (await engineStatus(2000, recorded)).ok) return recorded;
  const loads = (await engineLoads()).filter((l) => l.reachable);
  if (!loads.length) {
    throw new AppError("unavailable", `no Docker engine is reachable (${engineList().join(", ")}); start one (or fix DOCKSIDE_DOCKER_HOSTS)`);
  }
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${PLACEMENT_LOCK})`;
    // Placed, not running yet: their containers are not counted by the engine.
    const pending = await tx.session.groupBy({
      by: ["engine"],
      where: { id: { not: sessionId }, engine: { in: loads.map((l) => l.engine) }, status: { in: ["queued", "starting"] } },
      _count: { _all: true },
    });
    const score = (l: EngineLoad) => (l.sandboxes ?? 0) + (pending.find((p) => p.engine === l.engine)?._count._all ?? 0);
    // Fewest first; a tie goes to the engine listed first.
    const best = loads.reduce((a, b) => (score(b) < score(a) ? b : a));
    await tx.session.update({ where: { id: sessionId }, data: { engine: best.engine } });
    return best.engine;
  });
}
