// The append-only event log. Sequence numbers are allocated inside the transaction that inserts
// the events (a row lock on the session), so they are gapless and unique even with concurrent
// writers; worker events carry a worker number (wid) that makes resends idempotent.
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { AppError } from "../errors";
import { attentionColumns, foldAttention } from "../sessions/attention";
import { cleanSerialized } from "./sanitize";
import { type NewEvent, type SessionEvent, type SessionStatus } from "./schema";

export interface AppendOptions {
  /**
   * Worker event numbers, parallel to `events`: consecutive; those at or below the stored ack
   * are resends (dropped); the first new one must be ack + 1, else nothing is stored (409).
   */
  wids?: number[];
  /** Checked in the append's transaction: refuses the write of an instance that lost the session. */
  fence?: Fence;
}

/**
 * Runs first in an append's transaction and throws to store nothing: the session's lease
 * (lib/runner/lease.ts checkFence) for appends by the instance that runs the session.
 */
export type Fence = (tx: Prisma.TransactionClient) => Promise<void>;

export interface AppendResult {
  stored: SessionEvent[];
  workerAck: number;
}

/** The session row as an append sees it, under its row lock. */
export interface LockedSession {
  status: SessionStatus;
  workerAck: number;
  outputBytes: bigint;
}

/** What to append, decided from the locked row. */
export interface AppendPlan {
  events: NewEvent[];
  /** The new worker ack (never lowered). */
  workerAck?: number;
  /** Added to sessions.output_bytes in the same transaction. */
  outputBytes?: bigint;
}

type Tx = Prisma.TransactionClient;

const chains = new Map<string, Promise<unknown>>();

/** Appends events in order; serialised per session so that publish order equals seq order. */
export function appendEvents(sessionId: string, events: NewEvent[], opts: AppendOptions = {}): Promise<AppendResult> {
  return appendPlanned(sessionId, (row) => (opts.wids ? { events: freshByWid(events, opts.wids, row.workerAck), workerAck: Math.max(row.workerAck, ...opts.wids) } : { events }), opts.fence);
}

/**
 * Appends what `plan` decides on the locked session row (status, ack and output counter as
 * committed), in one transaction; `plan` may throw to store nothing.
 */
export function appendPlanned(sessionId: string, plan: (row: LockedSession) => AppendPlan, fence?: Fence): Promise<AppendResult> {
  const prev = chains.get(sessionId) ?? Promise.resolve();
  const next = prev.catch(() => {}).then(() => appendNow(sessionId, plan, fence));
  chains.set(sessionId, next);
  void next.finally(() => chains.get(sessionId) === next && chains.delete(sessionId)).catch(() => {});
  return next;
}

/** The events whose wid is above `ack`, after checking that wids advance one by one. */
export function freshByWid<T>(events: T[], wids: number[], ack: number): T[] {
  for (let i = 1; i < wids.length; i++) {
    if (wids[i] !== wids[i - 1] + 1) throw new AppError("conflict", `worker event numbers must be consecutive within a batch (wid ${wids[i]} after ${wids[i - 1]})`);
  }
  const first = wids.findIndex((w) => w > ack);
  if (first < 0) return [];
  if (wids[first] !== ack + 1) {
    throw new AppError("conflict", `worker event numbers must advance one by one: the host holds up to wid ${ack}, the batch's first new one is ${wids[first]}; nothing was stored`, { details: { ack } });
  }
  return events.slice(first);
}

async function appendNow(sessionId: string, plan: (row: LockedSession) => AppendPlan, fence?: Fence): Promise<AppendResult> {
  return db().$transaction(async (tx) => {
    if (fence) await fence(tx);
    const rows = await tx.$queryRaw<{ last_seq: number; worker_ack: number; status: string; output_bytes: bigint; team_id: string }[]>`
      SELECT last_seq, worker_ack, status, output_bytes, team_id FROM sessions WHERE id = ${sessionId} FOR UPDATE`;
    if (!rows.length) throw new Error(`session ${sessionId} does not exist`);
    const row = rows[0];
    let seq = row.last_seq;
    const decided = plan({ status: row.status as SessionStatus, workerAck: row.worker_ack, outputBytes: BigInt(row.output_bytes) });
    const ack = Math.max(row.worker_ack, decided.workerAck ?? 0);
    const now = new Date();
    const stored: SessionEvent[] = [];
    const json: string[] = [];
    for (const e of decided.events) {
      // Cleaned here so that no append (worker output, a prompt from the API) can wedge a session.
      const clean = cleanSerialized(e.data);
      stored.push({ seq: ++seq, type: e.type, ts: e.ts ?? now.toISOString(), data: clean.value } as SessionEvent);
      json.push(clean.json);
    }
    if (stored.length) await insertEvents(tx, sessionId, stored, json);
    const output = decided.outputBytes ? { outputBytes: { increment: decided.outputBytes } } : {};
    const projected = projection(stored);
    // "Needs attention" moves with the events that set or clear it (lib/sessions/attention.ts).
    const attention = attentionColumns(foldAttention(stored));
    if (!Object.keys(projected).length && !Object.keys(attention).length) {
      // The common batch (output, text, tool calls) moves only the counters: one plain UPDATE,
      // without building a Prisma query for it (updated_at as @updatedAt would set it).
      await tx.$executeRaw`
        UPDATE sessions SET last_seq = ${seq}, worker_ack = ${ack}, output_bytes = output_bytes + ${decided.outputBytes ?? 0n}, updated_at = ${now}
        WHERE id = ${sessionId}`;
    } else {
      await tx.session.update({ where: { id: sessionId }, data: { lastSeq: seq, workerAck: ack, ...output, ...projected, ...attention } });
    }
    // The team's month total moves with the session's cost, so the gateway's cap check reads both as one.
    if (projected.costUsd) await addTeamMonthCost(tx, row.team_id, now, projected.costUsd.increment);
    return { stored, workerAck: ack };
    // maxWait: under load (a hundred sessions starting) every pooled connection can be busy for a
    // moment; waiting beats failing an append (a lost launch, a worker batch sent again).
  }, { timeout: 30_000, maxWait: 15_000 });
}

/**
 * One INSERT for the whole batch: the rows travel as five arrays (unnest), so the statement and
 * its parameters stay the same size whatever the batch holds (createMany binds 5 per row).
 */
async function insertEvents(tx: Tx, sessionId: string, events: SessionEvent[], json: string[]): Promise<void> {
  const seqs = events.map((e) => e.seq);
  const types = events.map((e) => e.type);
  const ts = events.map((e) => new Date(e.ts).toISOString());
  await tx.$executeRaw`
    INSERT INTO events (session_id, seq, type, ts, data)
    SELECT ${sessionId}, s, t, at, d FROM unnest(${seqs}::int[], ${types}::text[], ${ts}::timestamptz[], ${json}::jsonb[]) AS r(s, t, at, d)`;
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
    cacheReadTokens?: { increment: number };
    cacheWriteTokens?: { increment: number };
    costUsd?: { increment: number };
  } = {};
  let inTok = 0;
  let outTok = 0;
  let cacheRead = 0;
  let cacheWrite = 0;
  let cost = 0;
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
      cacheRead += e.data.cacheReadTokens ?? 0;
      cacheWrite += e.data.cacheWriteTokens ?? 0;
      cost += e.data.costUsd ?? 0;
    }
  }
  if (inTok) out.inputTokens = { increment: inTok };
  if (outTok) out.outputTokens = { increment: outTok };
  if (cacheRead) out.cacheReadTokens = { increment: cacheRead };
  if (cacheWrite) out.cacheWriteTokens = { increment: cacheWrite };
  if (cost) out.costUsd = { increment: cost };
  return out;
}

/** Adds to the team's spend of the month (UTC) that `at` falls in. */
async function addTeamMonthCost(tx: Tx, teamId: string, at: Date, usd: number): Promise<void> {
  const month = monthStart(at);
  await tx.$executeRaw`
    INSERT INTO team_usage_months (team_id, month, cost_usd) VALUES (${teamId}, ${month}::date, ${usd})
    ON CONFLICT (team_id, month) DO UPDATE SET cost_usd = team_usage_months.cost_usd + EXCLUDED.cost_usd`;
}

/** The first day of `at`'s calendar month in UTC, as YYYY-MM-DD. */
export function monthStart(at: Date): string {
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, "0")}-01`;
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
