// Who watches which session, from every instance: one `presence` row per (socket, session),
// tagged with the socket's instance. Rows leave with their socket; the rows of an instance whose
// heartbeat stopped (SIGKILL, lost machine) are swept by the instances still alive.
//
// The table's key is `socket_id` alone while a socket may watch several sessions: the key we
// store is "<socket id>:<session id>" (socket ids never contain a colon).
import { db } from "../db/client";
import type { Watcher } from "../protocol/socket";
import { DEAD_AFTER_MS, instanceId } from "../runner/instance";

const rowKey = (socketId: string, sessionId: string) => `${socketId}:${sessionId}`;
const deadAfter = DEAD_AFTER_MS / 1000;

export async function addWatcher(sessionId: string, socketId: string, w: Watcher): Promise<void> {
  await db().$executeRaw`
    INSERT INTO presence (socket_id, instance_id, session_id, user_id, name, updated_at)
    VALUES (${rowKey(socketId, sessionId)}, ${instanceId()}, ${sessionId}, ${w.id}, ${w.name}, timezone('UTC', now()))
    ON CONFLICT (socket_id) DO NOTHING`;
}

/** True when the socket was watching the session (so the others need telling). */
export async function removeWatcher(sessionId: string, socketId: string): Promise<boolean> {
  return (await db().presence.deleteMany({ where: { socketId: rowKey(socketId, sessionId) } })).count > 0;
}

/** Unique people watching, on live instances, in the order they arrived. */
export async function watchers(sessionId: string): Promise<Watcher[]> {
  const rows = await db().$queryRaw<{ user_id: string; name: string }[]>`
    SELECT p.user_id, min(p.name) AS name FROM presence p
    JOIN instances i ON i.id = p.instance_id
      AND i.heartbeat_at > timezone('UTC', now()) - make_interval(secs => ${deadAfter}::float8)
    WHERE p.session_id = ${sessionId}
    GROUP BY p.user_id ORDER BY min(p.updated_at), p.user_id`;
  return rows.map((r) => ({ id: r.user_id, name: r.name }));
}

/** Deletes the rows of dead (or vanished) instances; returns the sessions whose watchers changed. */
export async function sweepPresence(): Promise<string[]> {
  const rows = await db().$queryRaw<{ session_id: string }[]>`
    DELETE FROM presence p WHERE NOT EXISTS (
      SELECT 1 FROM instances i WHERE i.id = p.instance_id
      AND i.heartbeat_at > timezone('UTC', now()) - make_interval(secs => ${deadAfter}::float8))
    RETURNING p.session_id`;
  return [...new Set(rows.map((r) => r.session_id))];
}

/** This instance's rows (a clean shutdown); returns the sessions whose watchers changed. */
export async function clearInstancePresence(): Promise<string[]> {
  const rows = await db().$queryRaw<{ session_id: string }[]>`
    DELETE FROM presence WHERE instance_id = ${instanceId()} RETURNING session_id`;
  return [...new Set(rows.map((r) => r.session_id))];
}
