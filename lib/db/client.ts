// The one Prisma client. Cached on globalThis so the custom server and Next's bundled route
// handlers (two module graphs in one process) share one connection pool.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

const g = globalThis as unknown as { __docksidePrisma?: PrismaClient };

/** Connects the process-wide client; called once at start-up (server, CLI, tests). */
export function connectDb(databaseUrl: string): PrismaClient {
  if (g.__docksidePrisma) return g.__docksidePrisma;
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: 20 });
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
}
