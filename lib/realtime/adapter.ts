// socket.io across instances. By default the PostgreSQL adapter (LISTEN/NOTIFY on the database
// every instance already shares; payloads over NOTIFY's 8 kB go through `socket_io_attachments`).
// With DOCKSIDE_REDIS_URL, the Redis streams adapter: broadcasts go through a Redis stream, which
// each instance reads from where it left off, so a Redis that restarts or a connection that drops
// loses none of them (the pub/sub `@socket.io/redis-adapter` drops whatever is sent meanwhile).
// Only this pub/sub moves: presence, rate limits and leases stay in PostgreSQL.
import { createAdapter as createPostgresAdapter } from "@socket.io/postgres-adapter";
import { createAdapter as createRedisAdapter } from "@socket.io/redis-streams-adapter";
import pg from "pg";
import { createClient } from "redis";
import type { Server } from "socket.io";
import { env } from "../config/env";
import { realtimeState, setRealtimeState } from "./status";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyServer = Server<any, any, any, any>;

export interface AttachedAdapter {
  close(): Promise<void>;
}

/**
 * Redis when DOCKSIDE_REDIS_URL is set, else the PostgreSQL adapter on `databaseUrl`; neither:
 * one instance alone, socket.io's in-memory adapter.
 */
export async function attachAdapter(io: AnyServer, databaseUrl: string | undefined): Promise<AttachedAdapter | undefined> {
  const redisUrl = env().DOCKSIDE_REDIS_URL;
  if (redisUrl) return attachRedisAdapter(io, redisUrl);
  if (databaseUrl) return attachPostgresAdapter(io, databaseUrl);
  return undefined;
}

async function attachPostgresAdapter(io: AnyServer, databaseUrl: string): Promise<AttachedAdapter> {
  // Its own small pool on the same database as Prisma's: one connection stays on LISTEN, the
  // others publish.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, application_name: "dockside-realtime" });
  pool.on("error", (err) => console.error(`[realtime] database: ${err.message}`));
  // The table is the adapter's shape (it cleans it itself every 30 s); created by a migration
  // (20261130200000_socket_io_attachments), since two instances creating it at once collide.
  io.adapter(createPostgresAdapter(pool, {
    errorHandler: (err) => console.error(`[realtime] adapter: ${err.message}`),
  }));
  setRealtimeState({ adapter: "postgres" });
  return {
    close: async () => {
      setRealtimeState(undefined);
      await pool.end();
    },
  };
}

// Never gives up: a Redis that is down at start or goes away later is retried every few seconds
// at most, for as long as the server runs (the client's connect() and its commands wait meanwhile).
const reconnectDelay = (retries: number) => Math.min(200 * 2 ** retries, 3000) + Math.floor(Math.random() * 200);

async function attachRedisAdapter(io: AnyServer, url: string): Promise<AttachedAdapter> {
  const where = `Redis at ${redacted(url)}`;
  const client = createClient({ url, socket: { reconnectStrategy: reconnectDelay } });
  setRealtimeState({ adapter: "redis", down: { since: new Date(), reason: "connecting" } });
  let everReady = false;
  client.on("ready", () => {
    const state = realtimeState();
    if (state?.adapter === "redis") state.down = undefined;
    console.log(everReady ? `[realtime] ${where}: connected again` : `[realtime] live events between instances go through ${where}`);
    everReady = true;
  });
  // One line per outage, not one per retry.
  client.on("error", (err: Error) => {
    const state = realtimeState();
    if (state?.adapter !== "redis" || (state.down && state.down.reason !== "connecting")) return;
    state.down = { since: state.down?.since ?? new Date(), reason: err.message || err.name };
    console.error(`[realtime] ${where} is unreachable (${state.down.reason}): live events from other instances wait until it is back; reconnecting`);
  });
  // The adapter sends server-side emits (event and control notices) with PUBLISH and drops the
  // promise: one in flight when Redis goes away would reject unhandled and end the process. A
  // notice lost that way is caught up by the next one (fanout.ts) or by the lease holder's poll.
  const publish = client.publish.bind(client);
  Object.assign(client, { publish: (channel: string, message: string | Buffer) => publish(channel, message).catch(() => 0) });
  // Not awaited: the server starts without Redis and the adapter's commands queue until it is there.
  void client.connect().catch((err: Error) => console.error(`[realtime] ${where}: ${err.message}`));
  io.adapter(createRedisAdapter(client, { streamName: "dockside:socket.io", channelPrefix: "dockside:socket.io" }));
  return {
    close: async () => {
      setRealtimeState(undefined);
      // close() waits for queued commands, which never leave while Redis is away.
      if (client.isReady) await client.close();
      else client.destroy();
    },
  };
}

function redacted(raw: string): string {
  const u = new URL(raw);
  if (u.password) u.password = "***";
  return u.href;
}
