// Whether the database is reachable, as the supervisor last saw it, and which errors mean "the
// database is away" (not a bug): both map to 503 with a message a person can act on. State is on
// globalThis: the custom server and Next's bundled routes are two module graphs in one process.
import { AppError } from "../errors";

export const DB_UNAVAILABLE_MESSAGE = "database unavailable: Dockside is restarting its database; try again in a moment";
const EXTERNAL_MESSAGE = "database unavailable: Dockside cannot reach its database (DATABASE_URL); try again in a moment";

export interface DbOutage {
  since: Date;
  /** What the supervisor saw, for signed-in callers and the log. */
  reason: string;
  /** True while Dockside restarts its own (embedded) cluster. */
  restarting: boolean;
}

const g = globalThis as unknown as { __docksideDbOutage?: DbOutage | null; __docksideDbSupervisor?: { nudge(): void } };

/** Asks the supervisor (supervise.ts), if one runs, to look now: a connection just failed. */
export function nudgeSupervisor(): void {
  g.__docksideDbSupervisor?.nudge();
}

/** The current outage, or null while the database answers. */
export function databaseOutage(): DbOutage | null {
  return g.__docksideDbOutage ?? null;
}

export function markDatabaseDown(reason: string, restarting: boolean): void {
  // The first moment counts: "since when" must not move while the outage lasts.
  const prev = g.__docksideDbOutage;
  g.__docksideDbOutage = { since: prev?.since ?? new Date(), reason, restarting };
}

export function markDatabaseUp(): void {
  g.__docksideDbOutage = null;
}

/** The 503 every caller sees while the database is away. */
export function databaseUnavailable(cause?: unknown): AppError {
  const o = databaseOutage();
  const message = !o || o.restarting ? DB_UNAVAILABLE_MESSAGE : EXTERNAL_MESSAGE;
  return new AppError("unavailable", message, { cause, details: o ? { since: o.since.toISOString() } : undefined });
}

// Prisma (P1001 can't reach, P1002 timed out, P1017 closed, P2024 pool timeout), the pg adapter's
// kinds, node's socket errors, pg's own texts and PostgreSQL's shutdown/startup SQLSTATEs.
const PRISMA_CODES = new Set(["P1001", "P1002", "P1017", "P2024"]);
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout"]);
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND"]);
const SQLSTATES = new Set(["57P01", "57P02", "57P03", "08000", "08001", "08003", "08006"]);
const TEXTS = /Can't reach database server|Connection terminated|connection (?:is )?closed|Client has encountered a connection error|terminating connection due to|the database system is (?:starting up|shutting down|in recovery mode)|timeout exceeded when trying to connect/i;

/** Does this error (or one it wraps) say the database cannot be reached, rather than a bug? */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== "object" || depth > 5) return false;
  const e = err as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: string } } }; cause?: unknown; message?: unknown };
  if (typeof e.code === "string" && (PRISMA_CODES.has(e.code) || SOCKET_CODES.has(e.code) || SQLSTATES.has(e.code))) return true;
  const kind = e.meta?.driverAdapterError?.cause?.kind ?? (e.cause as { kind?: string } | undefined)?.kind;
  if (kind && ADAPTER_KINDS.has(kind)) return true;
  if (typeof e.message === "string" && TEXTS.test(e.message)) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}
