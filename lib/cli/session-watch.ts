// `dockside session watch ID`: the transcript streamed over the server's socket.io (the same
// subscription the session page uses: replay from PostgreSQL, then live, deduplicated by seq,
// resubscribed after a gap or a reconnect). Ends when the agent has nothing left to do.
import { io, type Socket } from "socket.io-client";
import { SessionEventSchema, type SessionEvent, type SessionStatus } from "../events/schema";
import { ATTENTION_LABELS } from "../events/status";
import { SessionDtoSchema, type SessionDto } from "../protocol/api";
import type { ClientToServer, ServerToClient, SubscribeAck } from "../protocol/socket";
import { callApi, SessionCliError, sessionPath, type Server } from "./session-http";
import { TranscriptPrinter } from "./session-render";

/** How watching ended, for the exit code: idle 0, failed or needing attention 1, stopped 3. */
export const WATCH_EXIT = { idle: 0, failed: 1, attention: 1, stopped: 3 } as const;
const ENDED: readonly SessionStatus[] = ["idle", "stopped", "failed"];

export interface WatchOptions {
  json: boolean;
  raw: boolean;
  out: (s: string) => void;
  /** Lines about the watching itself (reconnects), not the transcript. */
  note: (s: string) => void;
}

/**
 * Where the log says the session stands: ended when its latest status is idle, stopped or failed
 * and no person's message came after it (a follow-up just sent has not been picked up yet).
 */
export class EndTracker {
  private status: SessionStatus | null = null;
  private messageAfter = false;

  see(e: SessionEvent): void {
    if (e.type === "status") {
      this.status = e.data.status;
      this.messageAfter = false;
    } else if (e.type === "user.message") this.messageAfter = true;
  }

  ended(): SessionStatus | null {
    return this.status && ENDED.includes(this.status) && !this.messageAfter ? this.status : null;
  }
}

type Client = Socket<ServerToClient, ClientToServer>;

/**
 * Streams the session until it ends; resolves with the exit code. From the start, or from `after`
 * (the seq before a follow-up: then it ends once a status after it says so).
 */
export async function watchSession(server: Server, id: string, opts: WatchOptions, after = 0): Promise<number> {
  // Over HTTP first: a wrong token or an unknown session gets the server's own words.
  await callApi(server, "GET", sessionPath(id), { schema: SessionDtoSchema });
  const printer = new TranscriptPrinter(opts.out, opts.raw);
  const tracker = new EndTracker();
  let last = after;
  let replayed = false;

  const ended = await new Promise<SessionStatus>((resolve, reject) => {
    const socket: Client = io(server.url, { transports: ["websocket"], auth: { token: server.token }, reconnectionAttempts: 30, reconnectionDelayMax: 5000 });
    const done = (err: Error | null, status?: SessionStatus) => {
      socket.close();
      if (err) reject(err);
      else resolve(status!);
    };
    const check = () => {
      const status = replayed ? tracker.ended() : null;
      if (status) done(null, status);
    };
    const subscribe = () => {
      socket.emit("subscribe", { sessionId: id, after: last }, (ack: SubscribeAck) => {
        if (!ack.ok) return done(new SessionCliError(`cannot watch session ${id}: ${ack.error}`, "not_found"));
        replayed = true;
        check();
      });
    };
    socket.on("connect", subscribe);
    socket.on("events", ({ sessionId, events }) => {
      if (sessionId !== id) return;
      for (const raw of events) {
        if (raw.seq <= last) continue; // replayed and live overlap: dedupe by seq
        if (raw.seq > last + 1) return subscribe(); // a gap: ask again from what we hold
        last = raw.seq;
        if (opts.json) opts.out(JSON.stringify(raw) + "\n");
        const parsed = SessionEventSchema.safeParse(raw);
        // An event type newer than this CLI is skipped in the transcript, not fatal.
        if (!parsed.success) continue;
        if (!opts.json) printer.print(parsed.data);
        tracker.see(parsed.data);
      }
      check();
    });
    socket.on("connect_error", (err) => {
      // Refused by the server (token, origin): final. A network error: socket.io retries.
      if (!socket.active) done(new SessionCliError(`the server refused the live stream: ${err.message}`, "unauthorized"));
    });
    socket.on("disconnect", (reason) => {
      if (reason === "io server disconnect") return done(new SessionCliError("the server ended the live stream (the token was revoked or you left the team)", "unauthorized"));
      if (reason !== "io client disconnect") opts.note(`lost the connection to ${server.url} (${reason}); reconnecting…`);
    });
    socket.io.on("reconnect_failed", () => done(new SessionCliError(`lost the connection to ${server.url} and could not reconnect`, "unreachable")));
  });

  printer.finish();
  const session = await callApi(server, "GET", sessionPath(id), { schema: SessionDtoSchema });
  return conclude(ended, session, opts);
}

function conclude(status: SessionStatus, s: SessionDto, opts: WatchOptions): number {
  const attention = status === "idle" && s.attention ? s.attention : null;
  if (!opts.json) {
    if (attention) opts.note(`session ${s.id} needs attention (${ATTENTION_LABELS[attention.kind]}): ${attention.reason}`);
    else if (status === "idle") opts.note(`session ${s.id} is idle: the agent finished its turn`);
    else opts.note(`session ${s.id} ${status}${s.failureReason ? `: ${s.failureReason}` : ""}`);
  }
  if (attention) return WATCH_EXIT.attention;
  return WATCH_EXIT[status as keyof typeof WATCH_EXIT] ?? 1;
}
