// Which adapter carries live events between instances, and whether it is connected, for
// /api/health. On globalThis: server.ts attaches the adapter, Next's route handlers read it, and
// they are two module graphs in one process.
import { databaseOutage } from "../db/unavailable";

export interface RealtimeStatus {
  adapter: "postgres" | "redis";
  connected: boolean;
  /** Why not connected, and since when. */
  error?: string;
}

interface State {
  adapter: RealtimeStatus["adapter"];
  /** Undefined: connected. */
  down?: { since: Date; reason: string };
}
const g = globalThis as unknown as { __docksideRealtime?: State };

/** Set by the adapter at attach; undefined on close. */
export function setRealtimeState(state: State | undefined): void {
  g.__docksideRealtime = state;
}

export function realtimeState(): State | undefined {
  return g.__docksideRealtime;
}

/** Undefined when this process runs no socket server (tests, the CLI). */
export function realtimeStatus(): RealtimeStatus | undefined {
  const s = g.__docksideRealtime;
  if (!s) return undefined;
  // The PostgreSQL adapter listens on the database every instance shares: it is up when that is.
  const down = s.adapter === "postgres" ? databaseDown() : s.down;
  if (!down) return { adapter: s.adapter, connected: true };
  return { adapter: s.adapter, connected: false, error: `down since ${down.since.toISOString()}: ${down.reason}` };
}

function databaseDown(): State["down"] {
  const outage = databaseOutage();
  return outage ? { since: outage.since, reason: outage.reason } : undefined;
}
