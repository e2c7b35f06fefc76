// The one Prisma client. Cached on globalThis so the custom server and Next's bundled route
// handlers (two module graphs in one process) share one connection pool.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { createPool, forgetPool } from "./pg";
import { nudgeSupervisor } from "./unavailable";

const g = globalThis as unknown as { __docksidePrisma?: PrismaClient };

/** Connects the process-wide client; called once at start-up (server, CLI, tests). */
export function connectDb(databaseUrl: string): PrismaClient {
  if (g.__docksidePrisma) return g.__docksidePrisma;
  // The pool drops a connection that broke (the server was killed or restarted) and opens a new
  // one for the next query, so the client recovers by itself once the server answers again. The
  // hooks only make the supervisor look at once instead of at its next tick.
  // idle_in_transaction_session_timeout: a process frozen in the middle of a transaction (SIGSTOP,
  // a paused VM) would hold its row locks until TCP gave up, hours later; the session lease's
  // fence is such a lock, so another instance could never take the session over. No transaction
  // of ours waits on anything but its own statements, so 15 s idle means its process is gone.
  // The pool is shared with the raw appends of lib/events/store.ts (lib/db/pg.ts); $disconnect ends it.
  const adapter = new PrismaPg(createPool(databaseUrl), { onPoolError: () => nudgeSupervisor(), onConnectionError: () => nudgeSupervisor(), disposeExternalPool: true });
  g.__docksidePrisma = new PrismaClient({ adapter });
  return g.__docksidePrisma;
}

/** The process-wide client; throws if start-up has not connected it. */
export function db(): PrismaClient {
  if (!g.__docksidePrisma) {
    if (process.env.DATABASE_URL) return connectDb(process.env.DATABASE_URL);
    throw new Error("database not connected: connectDb() must run at start-up");
  }
  return g.__docksidePrisma;
}

export async function disconnectDb(): Promise<void> {
  await g.__docksidePrisma?.$disconnect();
  g.__docksidePrisma = undefined;
  forgetPool();
}
