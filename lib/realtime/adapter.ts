// socket.io across instances: the PostgreSQL adapter (LISTEN/NOTIFY on the database every
// instance already shares). Payloads over NOTIFY's 8 kB go through `socket_io_attachments`.
import { createAdapter } from "@socket.io/postgres-adapter";
import pg from "pg";
import type { Server } from "socket.io";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyServer = Server<any, any, any, any>;

export async function attachPostgresAdapter(io: AnyServer, databaseUrl: string): Promise<{ close(): Promise<void> }> {
  // Its own small pool on the same database as Prisma's: one connection stays on LISTEN, the
  // others publish.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, application_name: "dockside-realtime" });
  pool.on("error", (err) => console.error(`[realtime] database: ${err.message}`));
  // The table is the adapter's shape (it cleans it itself every 30 s); created by a migration
  // (20261130200000_socket_io_attachments), since two instances creating it at once collide.
  io.adapter(createAdapter(pool, {
    errorHandler: (err) => console.error(`[realtime] adapter: ${err.message}`),
  }));
  return { close: () => pool.end() };
}
