// socket.io: the handshake is authenticated (cookie or API token) and its Origin checked
// against the public URL; every subscription is authorized like an HTTP read. Browsers
// subscribe to a session with the last sequence number they hold; the server replays the rest
// from PostgreSQL in pages, a few at a time per socket (lib/realtime/replay.ts), then streams
// live events. Several instances share one
// database: broadcasts cross them through the PostgreSQL adapter (lib/realtime/adapter.ts),
// session events through the ordered fan-out (lib/realtime/fanout.ts), presence through the
// `presence` table.
import type { IncomingMessage, Server as HttpServer } from "node:http";
import { Server, type Socket } from "socket.io";
import { activeTeam, authorize, authorizeSession } from "../auth/authorize";
import { resolveCaller, type Caller } from "../auth/caller";
import { sameOrigin } from "../http/origin";
import { db } from "../db/client";
import { SubscribeSchema, UnsubscribeSchema, type ClientToServer, type ServerToClient, type SubscribeAck } from "../protocol/socket";
import { setPublisher } from "./bus";
import { addWatcher, clearInstancePresence, removeWatcher, sweepPresence, watchers } from "./presence";
import { watchSession } from "../notifications/notify";
import { attachAdapter } from "./adapter";
import { controlReceived, setControlTransport, type ControlNotice } from "./control";
import { ReplayBusy, SocketReplays } from "./replay";
import { EventFanout, sessionRoom as room, type EventsNotice } from "./fanout";
import { onHeartbeat } from "../runner/instance";

const RECHECK_MS = 60_000;
const CATCH_UP_MS = 3_000;
const listRoom = (teamId: string) => `team:${teamId}`;
/** A person's sockets acting in one team (their active team at connection; a token's own team). */
export const notifyRoom = (userId: string, teamId: string) => `notify:${userId}:${teamId}`;

/** Between instances (server-side emits through the adapter). */
interface InterServer {
  "session:events": (msg: EventsNotice) => void;
  "session:control": (msg: ControlNotice) => void;
}
type DocksideServer = Server<ClientToServer, ServerToClient, InterServer, { caller: Caller }>;
type DocksideSocket = Socket<ClientToServer, ServerToClient, InterServer, { caller: Caller }>;

export interface AttachedSocket {
  io: DocksideServer;
  /** Stops broadcasting, removes this instance's presence and closes the adapter's connections. */
  close(): Promise<void>;
}

/**
 * socket.io on the HTTP server; with `databaseUrl`, on the PostgreSQL adapter so that every
 * instance on that database reaches every browser.
 */
export async function attachSocket(http: HttpServer, opts: { databaseUrl?: string } = {}): Promise<AttachedSocket> {
  const io: DocksideServer = new Server<ClientToServer, ServerToClient, InterServer, { caller: Caller }>(http, {
    maxHttpBufferSize: 64 * 1024,
    allowRequest: (req, cb) => cb(null, originAllowed(req)),
  });
  const adapter = await attachAdapter(io, opts.databaseUrl);
  const fanout = new EventFanout(io);
  io.on("session:events", (msg) => fanout.notice(msg));
  // Follow-ups, stops and decisions for sessions another instance runs (lib/realtime/control.ts).
  io.on("session:control", (msg) => controlReceived(msg));
  setControlTransport((n) => io.serverSideEmit("session:control", n));
  io.use(async (socket, next) => {
    try {
      const caller = await resolveCaller(handshakeHeaders(socket.handshake));
      if (!caller) return next(new Error("unauthorized: sign in or pass an API token"));
      socket.data.caller = caller;
      next();
    } catch {
      next(new Error("unauthorized"));
    }
  });
  io.on("connection", (socket) => onConnection(io, socket, fanout));
  setPublisher({
    events: (sessionId, events) => fanout.stored(sessionId, events),
    session: (dto) => void io.to(listRoom(dto.teamId)).emit("session:update", dto),
    revoke: ({ userIds = [], tokenId }) => {
      for (const id of userIds) io.in(`user:${id}`).disconnectSockets(true);
      if (tokenId) io.in(`token:${tokenId}`).disconnectSockets(true);
    },
    // Typed loosely until ServerToClient (lib/protocol/socket.ts) names "notification".
    notification: (userId, teamId, dto) => void io.to(notifyRoom(userId, teamId)).emit("notification", dto),
    merge: (sessionId, merge) => void io.to(room(sessionId)).emit("merge", { sessionId, merge }),
  });
  // Sign-outs and expired sessions end no request of ours: re-check every connection now and then.
  const recheck = setInterval(() => void recheckAll(io), RECHECK_MS);
  recheck.unref();
  // Several instances: events of sessions another instance runs arrive as notices through the
  // adapter, which can lose one (fanout.ts sweep()); a sweep now and then catches watchers up.
  const catchUp = adapter ? setInterval(() => void fanout.sweep().catch((err: Error) => console.error(`[realtime] catch-up sweep: ${err.message}`)), CATCH_UP_MS) : undefined;
  catchUp?.unref();
  // Watchers on an instance that died leave the lists within a heartbeat or three.
  const unhook = onHeartbeat(async () => {
    for (const sessionId of await sweepPresence()) await announce(io, sessionId);
  });
  io.engine.on("close", () => {
    clearInterval(recheck);
    clearInterval(catchUp);
  });
  return {
    io,
    async close() {
      clearInterval(recheck);
      clearInterval(catchUp);
      unhook();
      setPublisher(undefined);
      setControlTransport(undefined);
      const left = await clearInstancePresence().catch(() => [] as string[]);
      for (const sessionId of left) await announce(io, sessionId).catch(() => undefined);
      io.close();
      await adapter?.close().catch(() => undefined);
    },
  };
}

/** Tells every watcher of the session, on every instance, who watches it now. */
async function announce(io: DocksideServer, sessionId: string): Promise<void> {
  io.to(room(sessionId)).emit("presence", { sessionId, watchers: await watchers(sessionId) });
}

// Cross-site WebSocket hijacking: only pages of Dockside's own origin may connect with cookies.
function originAllowed(req: IncomingMessage): boolean {
  if (!req.headers.origin) return true; // not a browser: no ambient cookies to abuse
  return sameOrigin(req.headers.origin, req.headers.host);
}

// Each instance rechecks only its own sockets.
async function recheckAll(io: DocksideServer): Promise<void> {
  for (const socket of await io.local.fetchSockets()) {
    const headers = handshakeHeaders(socket.handshake);
    const caller = await resolveCaller(headers).catch(() => null);
    if (!caller || caller.user.id !== socket.data.caller.user.id) socket.disconnect(true);
  }
}

function handshakeHeaders(h: { headers: Record<string, string | string[] | undefined>; auth: unknown }): Headers {
  const headers = new Headers();
  for (const [k, v] of Object.entries(h.headers)) if (typeof v === "string") headers.set(k, v);
  const token = (h.auth as { token?: unknown })?.token;
  if (typeof token === "string") headers.set("authorization", `Bearer ${token}`);
  return headers;
}

function onConnection(io: DocksideServer, socket: DocksideSocket, fanout: EventFanout): void {
  const caller = socket.data.caller;
  void socket.join(`user:${caller.user.id}`);
  if (caller.tokenId) void socket.join(`token:${caller.tokenId}`);
  // Notifications go to the team the socket acts in, like GET /api/notifications.
  void activeTeam(caller).then((teamId) => socket.join(notifyRoom(caller.user.id, teamId)), () => {});
  const watching = new Set<string>();
  const replays = new SocketReplays({
    emit: (sessionId, events) => void socket.emit("events", { sessionId, events }),
    sent: () => sent(socket),
    closed: () => socket.disconnected,
  });
  const tell = (sessionId: string) => void announce(io, sessionId).catch((err) => console.error(`[realtime] presence: ${(err as Error).message}`));

  socket.on("subscribe", async (msg, ack) => {
    const reply = typeof ack === "function" ? ack : () => {};
    const parsed = SubscribeSchema.safeParse(msg);
    if (!parsed.success) return reply({ ok: false, error: "subscribe needs {sessionId, after}" } satisfies SubscribeAck);
    const { sessionId, after } = parsed.data;
    if (!replays.takes(sessionId)) return reply({ ok: false, error: new ReplayBusy().message, busy: true });
    try {
      await authorizeSession(caller, sessionId, "session.read");
    } catch {
      return reply({ ok: false, error: "session not found" });
    }
    // Opening a session makes it one "I watch" (notification scope "watched").
    void watchSession(caller.user.id, sessionId);
    // Join first, then replay: live events that arrive meanwhile are deduplicated by seq on the client.
    await socket.join(room(sessionId));
    const stored = await db().session.findUnique({ where: { id: sessionId }, select: { lastSeq: true } });
    fanout.joined(sessionId, stored?.lastSeq ?? 0);
    watching.add(sessionId);
    await addWatcher(sessionId, socket.id, { id: caller.user.id, name: caller.user.name });
    tell(sessionId);
    try {
      reply({ ok: true, lastSeq: await replays.request(sessionId, after) });
    } catch (err) {
      reply({ ok: false, error: err instanceof ReplayBusy ? err.message : "the session's events could not be read: subscribe again", busy: err instanceof ReplayBusy });
    }
  });

  const leave = (sessionId: string) => {
    void socket.leave(room(sessionId));
    watching.delete(sessionId);
    void removeWatcher(sessionId, socket.id).then((removed) => removed && tell(sessionId), () => undefined);
  };
  socket.on("unsubscribe", (msg) => {
    const parsed = UnsubscribeSchema.safeParse(msg);
    if (parsed.success) leave(parsed.data.sessionId);
  });
  socket.on("subscribe:list", async (ack) => {
    try {
      const { teamId } = await authorize(caller, await activeTeam(caller), "session.read");
      await socket.join(listRoom(teamId));
      if (typeof ack === "function") ack({ ok: true });
    } catch {
      if (typeof ack === "function") ack({ ok: false });
    }
  });
  socket.on("disconnect", () => {
    for (const id of [...watching]) leave(id);
  });
}

// The next page only once this one has left the process: written to the connection's socket
// (websocket) or taken by the browser's poll (long-polling).
async function sent(socket: DocksideSocket): Promise<void> {
  const conn = socket.conn as unknown as { writeBuffer: unknown[]; transport: { writable: boolean; once(e: "drain", f: () => void): void; off(e: "drain", f: () => void): void } };
  while (!socket.disconnected && (conn.writeBuffer.length > 0 || !conn.transport.writable)) {
    const transport = conn.transport;
    await new Promise<void>((resolve) => {
      // The transport may change (an upgrade) or close without a drain: look again now and then.
      const timer = setTimeout(done, 50);
      function done() {
        clearTimeout(timer);
        transport.off("drain", done);
        resolve();
      }
      transport.once("drain", done);
    });
  }
}
