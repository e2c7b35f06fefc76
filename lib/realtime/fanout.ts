// Session events to every instance's sockets, exactly once each and in seq order.
//
// The PostgreSQL adapter carries what `io.to(room).emit` sends, but not in order: it publishes
// each message on whichever pooled connection is free, and messages over 8 kB (a batch of tool
// output) go through a table and arrive later than a small one sent after them. So events cross
// instances as a small notice ("session S has events up to seq N", a server-side emit through the
// same adapter), and each instance pushes them to its own sockets from PostgreSQL, from where it
// left off. The log is the source of truth; the cursor below is only what this instance already
// pushed to the sockets it holds.
import type { Server } from "socket.io";
import { db } from "../db/client";
import { readEvents } from "../events/store";
import type { SessionEvent } from "../events/schema";

const BATCH = 500;
const ROOM_PREFIX = "session:";
export const sessionRoom = (sessionId: string) => `${ROOM_PREFIX}${sessionId}`;

export interface EventsNotice {
  sessionId: string;
  firstSeq: number;
  lastSeq: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyServer = Server<any, any, any, any>;

export class EventFanout {
  private readonly cursor = new Map<string, number>();
  private readonly chain = new Map<string, Promise<void>>();

  constructor(private readonly io: AnyServer) {}

  /** Events this instance just stored: to its own sockets now, a notice to the other instances. */
  stored(sessionId: string, events: SessionEvent[]): void {
    if (!events.length) return;
    const firstSeq = events[0].seq;
    const lastSeq = events[events.length - 1].seq;
    this.io.serverSideEmit("session:events", { sessionId, firstSeq, lastSeq } satisfies EventsNotice);
    this.enqueue(sessionId, firstSeq, lastSeq, events);
  }

  /**
   * A socket here just joined the session's room and will replay the log from now: from here on
   * the cursor cannot start later than what that replay is sure to cover.
   */
  joined(sessionId: string, storedUpTo: number): void {
    if (!this.cursor.has(sessionId)) this.cursor.set(sessionId, storedUpTo);
  }

  /** Another instance stored events firstSeq..lastSeq. */
  notice(msg: EventsNotice): void {
    this.enqueue(msg.sessionId, msg.firstSeq, msg.lastSeq);
  }

  /**
   * The safety net under the notices: every session watched here whose log is ahead of what this
   * instance pushed is caught up from PostgreSQL. A notice lost on the way (the adapter's
   * connection dropped, Redis restarted empty, a message it never delivered) then delays a
   * watcher by one sweep instead of leaving it behind until the session's next event, or for
   * good. One query per sweep for all the sessions watched here; nothing when none is.
   */
  async sweep(): Promise<void> {
    const watched = [...this.io.of("/").adapter.rooms.keys()].filter((r) => r.startsWith(ROOM_PREFIX)).map((r) => r.slice(ROOM_PREFIX.length));
    if (!watched.length) return;
    const rows = await db().session.findMany({ where: { id: { in: watched } }, select: { id: true, lastSeq: true } });
    for (const r of rows) {
      const done = this.cursor.get(r.id);
      // No cursor: nobody's replay has settled where it starts yet (joined() sets it).
      if (done !== undefined && r.lastSeq > done) this.enqueue(r.id, done + 1, r.lastSeq);
    }
  }

  // One delivery at a time per session keeps order; notices arriving late (seq already pushed) are no-ops.
  private enqueue(sessionId: string, firstSeq: number, lastSeq: number, inHand?: SessionEvent[]): void {
    const prev = this.chain.get(sessionId) ?? Promise.resolve();
    const next = prev
      .then(() => this.deliver(sessionId, firstSeq, lastSeq, inHand))
      .catch((err) => console.error(`[realtime] events of ${sessionId}: ${(err as Error).message}`))
      .finally(() => {
        if (this.chain.get(sessionId) === next) this.chain.delete(sessionId);
      });
    this.chain.set(sessionId, next);
  }

  // Without a cursor (nobody here watched when the batch was stored) delivery starts at this batch.
  private async deliver(sessionId: string, firstSeq: number, lastSeq: number, inHand?: SessionEvent[]): Promise<void> {
    const room = sessionRoom(sessionId);
    if (!this.io.of("/").adapter.rooms.get(room)?.size) {
      // Nobody here watches: forget where we were (a new subscriber replays from the log).
      this.cursor.delete(sessionId);
      return;
    }
    let done = this.cursor.get(sessionId) ?? firstSeq - 1;
    if (lastSeq <= done) return;
    if (inHand && inHand[0].seq <= done + 1) {
      const fresh = inHand.filter((e) => e.seq > done);
      this.io.local.to(room).emit("events", { sessionId, events: fresh });
      this.cursor.set(sessionId, lastSeq);
      return;
    }
    while (done < lastSeq) {
      const batch = (await readEvents(sessionId, done, BATCH)).filter((e) => e.seq <= lastSeq);
      if (!batch.length) break;
      this.io.local.to(room).emit("events", { sessionId, events: batch });
      done = batch[batch.length - 1].seq;
      this.cursor.set(sessionId, done);
    }
  }
}
