// socket.io: browsers subscribe to a session with the last sequence number they hold; the
// server replays the rest from PostgreSQL in bounded batches, then streams live events.
import type { Server as HttpServer } from "node:http";
import { Server, type Socket } from "socket.io";
import { readEvents } from "../events/store";
import { SubscribeSchema, UnsubscribeSchema, type ClientToServer, type ServerToClient, type SubscribeAck } from "../protocol/socket";
import { getSession } from "../sessions/dto";
import { DEFAULT_TEAM_ID } from "../sessions/team";
import { setPublisher } from "./bus";

const REPLAY_BATCH = 500;
const room = (sessionId: string) => `session:${sessionId}`;

export function attachSocket(http: HttpServer): Server<ClientToServer, ServerToClient> {
  const io = new Server<ClientToServer, ServerToClient>(http, {
    maxHttpBufferSize: 64 * 1024,
    // Cross-site WebSocket hijacking: a browser page on another origin may not connect.
    allowRequest: (req, cb) => {
      const origin = req.headers.origin;
      if (!origin) return cb(null, true);
      try {
        cb(null, new URL(origin).host === req.headers.host);
      } catch {
        cb(null, false);
      }
    },
  });
  io.on("connection", (socket) => onConnection(socket));
  setPublisher({
    events: (sessionId, events) => void io.to(room(sessionId)).emit("events", { sessionId, events }),
    session: (dto) => void io.to("list").emit("session:update", dto),
  });
  return io;
}

function onConnection(socket: Socket<ClientToServer, ServerToClient>): void {
  // The team comes from the authenticated handshake once accounts exist.
  const teamId = DEFAULT_TEAM_ID;
  socket.on("subscribe", async (msg, ack) => {
    const reply = typeof ack === "function" ? ack : () => {};
    const parsed = SubscribeSchema.safeParse(msg);
    if (!parsed.success) return reply({ ok: false, error: "subscribe needs {sessionId, after}" } satisfies SubscribeAck);
    const { sessionId, after } = parsed.data;
    try {
      await getSession(teamId, sessionId);
    } catch {
      return reply({ ok: false, error: "session not found" });
    }
    // Join first, then replay: live events that arrive meanwhile are deduplicated by seq on the client.
    await socket.join(room(sessionId));
    let last = after;
    for (;;) {
      const batch = await readEvents(sessionId, last, REPLAY_BATCH);
      if (!batch.length || socket.disconnected) break;
      socket.emit("events", { sessionId, events: batch });
      last = batch[batch.length - 1].seq;
      await drained(socket);
    }
    reply({ ok: true, lastSeq: last });
  });
  socket.on("unsubscribe", (msg) => {
    const parsed = UnsubscribeSchema.safeParse(msg);
    if (parsed.success) void socket.leave(room(parsed.data.sessionId));
  });
  socket.on("subscribe:list", async (ack) => {
    await socket.join("list");
    if (typeof ack === "function") ack({ ok: true });
  });
}

// Replaying a huge log must not pile megabytes into one socket's write buffer.
async function drained(socket: Socket): Promise<void> {
  const conn = socket.conn as unknown as { writeBuffer?: unknown[] };
  for (let i = 0; i < 500 && (conn.writeBuffer?.length ?? 0) > 4 && !socket.disconnected; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
}
