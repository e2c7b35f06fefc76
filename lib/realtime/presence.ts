// Who watches which session: socket id → person, per session. In memory (one process); with
// several instances this moves to the socket.io adapter's rooms.
import type { Watcher } from "../protocol/socket";

const rooms = new Map<string, Map<string, Watcher>>();

export function addWatcher(sessionId: string, socketId: string, w: Watcher): void {
  let r = rooms.get(sessionId);
  if (!r) rooms.set(sessionId, (r = new Map()));
  r.set(socketId, w);
}

export function removeWatcher(sessionId: string, socketId: string): boolean {
  const r = rooms.get(sessionId);
  if (!r?.delete(socketId)) return false;
  if (!r.size) rooms.delete(sessionId);
  return true;
}

/** Unique people watching, in the order they arrived. */
export function watchers(sessionId: string): Watcher[] {
  const seen = new Map<string, Watcher>();
  for (const w of rooms.get(sessionId)?.values() ?? []) if (!seen.has(w.id)) seen.set(w.id, w);
  return [...seen.values()];
}
