// The append-only event log. Sequence numbers are allocated inside the transaction that inserts
// the events (a row lock on the session), so they are gapless and unique even with concurrent
// writers; worker events carry a worker number (wid) that makes resends idempotent.
import { db } from "../db/client";
import { type NewEvent, type SessionEvent, type SessionStatus } from "./schema";

export interface AppendOptions {
  /** Worker event numbers, parallel to `events`; events at or below the stored ack are dropped. */
  wids?: number[];
}

export interface AppendResult {
  stored: SessionEvent[];
  workerAck: number;
}

const chains = new Map<string, Promise<unknown>>();

/** Appends events in order; serialised per session so that publish order equals seq order. */
export function appendEvents(sessionId: string, events: NewEvent[], opts: AppendOptions = {}): Promise<AppendResult> {
  const prev = chains.get(sessionId) ?? Promise.resolve();
  const next = prev.catch(() => {}).then(() => appendNow(sessionId, events, opts));
  chains.set(sessionId, next);
  void next.finally(() => chains.get(sessionId) === next && chains.delete(sessionId)).catch(() => {});
  return next;
}

async function appendNow(sessionId: string, events: NewEvent[], opts: AppendOptions): Promise<AppendResult> {
  return db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ last_seq: number; worker_ack: number }[]>`
      SELECT last_seq, worker_ack FROM sessions WHERE id = ${sessionId} FOR UPDATE`;
    if (!rows.length) throw new Error(`session ${sessionId} does not exist`);
    let { last_seq: seq, worker_ack: ack } = rows[0];
    const fresh = opts.wids ? events.filter((_, i) => opts.wids![i] > ack) : events;
    if (opts.wids?.length) ack = Math.max(ack, ...opts.wids);
    const now = new Date();
    const stored: SessionEvent[] = fresh.map((e) => ({ seq: ++seq, type: e.type, ts: e.ts ?? now.toISOString(), data: e.data }) as SessionEvent);
    if (stored.length) {
      await tx.event.createMany({
        data: stored.map((e) => ({ sessionId, seq: e.seq, type: e.type, ts: new Date(e.ts), data: e.data as object })),
      });
    }
    await tx.session.update({ where: { id: sessionId }, data: { lastSeq: seq, workerAck: ack, ...projection(stored) } });
    return { stored, workerAck: ack };
  }, { timeout: 30_000 });
}

/** What the session row mirrors from its log (status, tokens, head): the log stays the truth. */
function projection(events: SessionEvent[]) {
  const out: {
    status?: SessionStatus;
    failureReason?: string | null;
    endedAt?: Date | null;
    headCommit?: string;
    reviewState?: string;
    inputTokens?: { increment: number };
    outputTokens?: { increment: number };
  } = {};
  let inTok = 0;
  let outTok = 0;
  for (const e of events) {
    if (e.type === "status") {
      out.status = e.data.status;
      out.failureReason = e.data.status === "failed" ? (e.data.reason ?? "failed") : null;
      out.endedAt = e.data.status === "stopped" || e.data.status === "failed" ? new Date(e.ts) : null;
    } else if (e.type === "commit") {
      // New work after a review (or a merge) needs a fresh look.
      out.headCommit = e.data.sha;
      out.reviewState = "needs_review";
    }
    else if (e.type === "usage") {
      inTok += e.data.inputTokens + (e.data.cacheReadTokens ?? 0) + (e.data.cacheWriteTokens ?? 0);
      outTok += e.data.outputTokens;
    }
  }
  if (inTok) out.inputTokens = { increment: inTok };
  if (outTok) out.outputTokens = { increment: outTok };
  return out;
}

/** Events after `after`, in order, at most `limit` (and about `maxBytes` of payload). */
export async function readEvents(sessionId: string, after: number, limit: number, maxBytes = 8 * 1024 * 1024): Promise<SessionEvent[]> {
  const rows = await db().event.findMany({
    where: { sessionId, seq: { gt: after } },
    orderBy: { seq: "asc" },
    take: limit,
    select: { seq: true, type: true, ts: true, data: true },
  });
  const out: SessionEvent[] = [];
  let bytes = 0;
  for (const r of rows) {
    // Rows were validated when written; re-parsing megabytes of output on every read costs more than it buys.
    const event = { seq: r.seq, type: r.type, ts: r.ts.toISOString(), data: r.data } as SessionEvent;
    out.push(event);
    bytes += event.type === "tool.output" || event.type === "assistant.text" ? event.data.text.length : 256;
    if (bytes >= maxBytes) break;
  }
  return out;
}
