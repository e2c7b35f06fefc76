// Session ownership across instances: one lease row per session names the instance that runs
// its channel and watches its container. `epoch` is a fencing token: it grows at every change of
// holder (and at release), so a holder that was paused or cut off and still believes it owns a
// session is refused by checkFence() in the transaction of its next write.
//
// Timing: leases last 15 s and are renewed with the instance heartbeat (every 5 s). A holder
// that dies stops renewing; after at most 15 s (its lease runs out, or its heartbeat is stale)
// another instance's acquireLease() takes the session with epoch + 1.
import type { SqlTx } from "../db/pg";
import { db } from "../db/client";
import { AppError } from "../errors";
import { DEAD_AFTER_MS, instanceId, onHeartbeat, startInstance } from "./instance";

export const LEASE_MS = 15_000;

export interface Lease {
  sessionId: string;
  epoch: number;
}
export interface LeaseHolder {
  instanceId: string;
  epoch: number;
  expiresAt: Date;
  /** The lease is unexpired and its instance's heartbeat is fresh. */
  alive: boolean;
  mine: boolean;
}

// What this process believes it holds: only to tell the orchestrator which leases it lost at
// renewal. The truth is the table.
interface Local {
  held: Map<string, number>;
  lost: Set<(l: Lease) => void>;
  unhook?: () => void;
}
const g = globalThis as unknown as { __docksideLeases?: Local };
const local = (): Local => (g.__docksideLeases ??= { held: new Map(), lost: new Set() });

const secs = (ms: number) => ms / 1000;

/**
 * Takes the session's lease for this instance when nobody holds it, its lease ran out or its
 * holder's heartbeat stopped; returns the fencing epoch, or null while another live instance holds
 * it. Holding it already returns the same epoch (idempotent; renewed).
 */
export async function acquireLease(sessionId: string): Promise<Lease | null> {
  await startInstance();
  ensureRenewal();
  const me = instanceId();
  // A holder in the middle of a fenced write share-locks the row: wait a moment for it, not
  // forever (a frozen holder's transaction is ended by the server after 15 s, lib/db/client.ts).
  const take = db().$queryRaw<{ epoch: bigint }[]>`
    INSERT INTO session_leases AS l (session_id, instance_id, epoch, expires_at)
    VALUES (${sessionId}, ${me}, 1, timezone('UTC', now()) + make_interval(secs => ${secs(LEASE_MS)}::float8))
    ON CONFLICT (session_id) DO UPDATE SET
      epoch = CASE WHEN l.instance_id = ${me} AND l.expires_at > timezone('UTC', now()) THEN l.epoch ELSE l.epoch + 1 END,
      instance_id = ${me},
      expires_at = EXCLUDED.expires_at
    WHERE (l.instance_id = ${me} AND l.expires_at > timezone('UTC', now()))
       OR l.expires_at <= timezone('UTC', now())
       OR NOT EXISTS (
         SELECT 1 FROM instances i WHERE i.id = l.instance_id
         AND i.heartbeat_at > timezone('UTC', now()) - make_interval(secs => ${secs(DEAD_AFTER_MS)}::float8))
    RETURNING epoch`;
  let rows: { epoch: bigint }[];
  try {
    [, rows] = await db().$transaction([db().$executeRaw`SET LOCAL lock_timeout = '3s'`, take]);
  } catch (err) {
    if (/lock timeout/i.test(String((err as Error).message))) return null;
    throw err;
  }
  if (!rows.length) return null;
  const epoch = Number(rows[0].epoch);
  local().held.set(sessionId, epoch);
  return { sessionId, epoch };
}

/**
 * Extends every lease this instance holds (the heartbeat does this every 5 s). Returns the ones
 * renewed and the ones lost: taken over while this process was paused or cut off from the
 * database. The orchestrator must stop acting on lost sessions at once (its writes are fenced anyway).
 */
export async function renewLeases(): Promise<{ renewed: Lease[]; lost: Lease[] }> {
  const before = new Map(local().held);
  const rows = await db().$queryRaw<{ session_id: string; epoch: bigint }[]>`
    UPDATE session_leases SET expires_at = timezone('UTC', now()) + make_interval(secs => ${secs(LEASE_MS)}::float8)
    WHERE instance_id = ${instanceId()}
    RETURNING session_id, epoch`;
  const renewed = rows.map((r) => ({ sessionId: r.session_id, epoch: Number(r.epoch) }));
  const now = new Map(renewed.map((l) => [l.sessionId, l.epoch]));
  const { held, lost: listeners } = local();
  const lost: Lease[] = [];
  // Only leases held before the update ran can be lost; one acquired or released meanwhile is as
  // acquireLease/releaseLease left it.
  for (const [sessionId, epoch] of before) {
    if (now.get(sessionId) === epoch || held.get(sessionId) !== epoch) continue;
    lost.push({ sessionId, epoch });
    held.delete(sessionId);
  }
  for (const l of lost) for (const fn of listeners) fn(l);
  return { renewed, lost };
}

/** Called with each lease found lost at renewal; returns the unsubscribe. */
export function onLeaseLost(fn: (lease: Lease) => void): () => void {
  local().lost.add(fn);
  return () => void local().lost.delete(fn);
}

/**
 * Gives the session up (stopped for good, deleted, shutting down). The epoch advances, so this
 * instance's token is stale at once and the next holder gets a higher one without waiting.
 */
export async function releaseLease(sessionId: string): Promise<void> {
  local().held.delete(sessionId);
  await db().$executeRaw`
    UPDATE session_leases SET epoch = epoch + 1, expires_at = timezone('UTC', now()) - interval '1 second'
    WHERE session_id = ${sessionId} AND instance_id = ${instanceId()}`;
}

/** Releases every lease of this instance (a clean shutdown: the others take over without waiting 15 s). */
export async function releaseAllLeases(): Promise<void> {
  local().held.clear();
  await db().$executeRaw`
    UPDATE session_leases SET epoch = epoch + 1, expires_at = timezone('UTC', now()) - interval '1 second'
    WHERE instance_id = ${instanceId()}`;
}

/** Who holds the session's lease, or null when it never had one. */
export async function leaseHolder(sessionId: string): Promise<LeaseHolder | null> {
  const rows = await db().$queryRaw<{ instance_id: string; epoch: bigint; expires_at: Date; alive: boolean }[]>`
    SELECT l.instance_id, l.epoch, l.expires_at,
      (l.expires_at > timezone('UTC', now()) AND EXISTS (
        SELECT 1 FROM instances i WHERE i.id = l.instance_id
        AND i.heartbeat_at > timezone('UTC', now()) - make_interval(secs => ${secs(DEAD_AFTER_MS)}::float8))) AS alive
    FROM session_leases l WHERE l.session_id = ${sessionId}`;
  const r = rows[0];
  if (!r) return null;
  return { instanceId: r.instance_id, epoch: Number(r.epoch), expiresAt: r.expires_at, alive: r.alive, mine: r.instance_id === instanceId() };
}

/**
 * Sessions in one of `statuses` that no live instance runs: never leased, lease run out, or holder
 * dead. The orchestrator's takeover scan: acquireLease() each, then recover it.
 */
export async function orphanedSessions(statuses: string[]): Promise<string[]> {
  const rows = await db().$queryRaw<{ id: string }[]>`
    SELECT s.id FROM sessions s LEFT JOIN session_leases l ON l.session_id = s.id
    WHERE s.status = ANY(${statuses}::text[])
      AND (l.session_id IS NULL OR l.expires_at <= timezone('UTC', now()) OR NOT EXISTS (
        SELECT 1 FROM instances i WHERE i.id = l.instance_id
        AND i.heartbeat_at > timezone('UTC', now()) - make_interval(secs => ${secs(DEAD_AFTER_MS)}::float8)))
    ORDER BY s.id`;
  return rows.map((r) => r.id);
}

/**
 * Inside a write transaction: refuses unless this instance still holds the session at `epoch`.
 * The row stays share-locked until the transaction ends, so a takeover (which updates the row)
 * waits for this write to commit and can never interleave with it.
 */
export async function checkFence(tx: SqlTx, sessionId: string, epoch: number): Promise<void> {
  const rows = await tx.$queryRaw<{ instance_id: string; epoch: bigint }[]>`
    SELECT instance_id, epoch FROM session_leases WHERE session_id = ${sessionId} FOR SHARE`;
  const r = rows[0];
  if (r && r.instance_id === instanceId() && Number(r.epoch) === epoch) return;
  throw new AppError("conflict", `session ${sessionId} is now run by another Dockside instance (lease epoch ${r ? Number(r.epoch) : "none"}, ours ${epoch}); this instance stopped acting on it`);
}

function ensureRenewal(): void {
  const l = local();
  if (l.unhook) return;
  l.unhook = onHeartbeat(async () => void (await renewLeases()));
}
