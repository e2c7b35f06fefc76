// This process as one of several Dockside instances on one PostgreSQL: a row in `instances`
// with a heartbeat every 5 s. An instance whose heartbeat is older than 15 s is dead: its session
// leases may be taken over (lib/runner/lease.ts) and its presence rows are swept. All times are
// the database's clock, so instances with skewed clocks still agree on who is alive.
import { randomUUID } from "node:crypto";
import os from "node:os";
import { db } from "../db/client";

export const HEARTBEAT_MS = 5_000;
export const DEAD_AFTER_MS = 15_000;

type Tick = () => Promise<void>;
interface State {
  id: string;
  timer?: NodeJS.Timeout;
  ticks: Set<Tick>;
  beats: number;
  address?: string;
}
// On globalThis: server.ts and Next's route handlers are two module graphs in one process.
const g = globalThis as unknown as { __docksideInstance?: State };
const state = (): State => (g.__docksideInstance ??= { id: process.env.DOCKSIDE_INSTANCE_ID || randomUUID(), ticks: new Set(), beats: 0 });

/** This process's instance id (stable for its lifetime; DOCKSIDE_INSTANCE_ID pins it for tests and logs). */
export function instanceId(): string {
  return state().id;
}

/**
 * Registers this instance and starts its heartbeat; idempotent. Lease acquisition calls it too,
 * so the orchestrator cannot hold a lease for an instance nobody sees beating.
 */
export async function startInstance(opts: { address?: string } = {}): Promise<string> {
  const s = state();
  if (opts.address) s.address = opts.address;
  if (s.timer) return s.id;
  await beat(s);
  s.timer = setInterval(() => void tick(s), HEARTBEAT_MS);
  s.timer.unref();
  return s.id;
}

/** Runs `fn` after every heartbeat (lease renewal, presence sweep); returns the unsubscribe. */
export function onHeartbeat(fn: Tick): () => void {
  state().ticks.add(fn);
  return () => void state().ticks.delete(fn);
}

/** Stops the heartbeat and removes this instance's row (its leases are released by the caller first). */
export async function stopInstance(): Promise<void> {
  const s = state();
  if (s.timer) clearInterval(s.timer);
  s.timer = undefined;
  await db().instance.deleteMany({ where: { id: s.id } }).catch(() => undefined);
}

/** Instances whose heartbeat is fresh, by the database's clock. */
export async function liveInstances(): Promise<{ id: string; host: string; pid: number; address: string | null }[]> {
  return db().$queryRaw`
    SELECT id, host, pid, address FROM instances
    WHERE heartbeat_at > timezone('UTC', now()) - make_interval(secs => ${DEAD_AFTER_MS / 1000}::float8)
    ORDER BY started_at`;
}

/** Forgets instances dead for an hour (their leases were taken over long ago; rows only help the operator meanwhile). */
export async function pruneDeadInstances(): Promise<number> {
  return db().$executeRaw`DELETE FROM instances WHERE heartbeat_at < timezone('UTC', now()) - interval '1 hour'`;
}

// An upsert rather than an update: a row deleted while this process was paused (an hour of
// SIGSTOP, a suspended VM) comes back at the next beat.
async function beat(s: State): Promise<void> {
  await db().$executeRaw`
    INSERT INTO instances (id, host, pid, address, started_at, heartbeat_at)
    VALUES (${s.id}, ${os.hostname()}, ${process.pid}, ${s.address ?? null}, timezone('UTC', now()), timezone('UTC', now()))
    ON CONFLICT (id) DO UPDATE SET heartbeat_at = timezone('UTC', now()), address = COALESCE(EXCLUDED.address, instances.address)`;
}

async function tick(s: State): Promise<void> {
  try {
    await beat(s);
  } catch (err) {
    // The database is away: leases lapse on their own and are renewed (or found lost) once it is back.
    console.error(`[instance] heartbeat failed: ${(err as Error).message}`);
    return;
  }
  for (const fn of s.ticks) await fn().catch((err) => console.error(`[instance] ${(err as Error).message}`));
  if (++s.beats % 720 === 0) await pruneDeadInstances().catch(() => undefined); // hourly
}
