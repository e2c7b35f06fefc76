// The append-only event log. Sequence numbers are allocated inside the transaction that inserts
// the events (a row lock on the session), so they are gapless and unique even with concurrent
// writers; worker events carry a worker number (wid) that makes resends idempotent.
import { db } from "../db/client";
import { pgTransaction, type PgTx, type SqlTx } from "../db/pg";
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
export type Fence = (tx: SqlTx) => Promise<void>;

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

/** A session's last append: `locked` once it holds the session row (or ended), `done` once it ended. */
interface Link {
  locked: Promise<void>;
  done: Promise<unknown>;
}
const chains = new Map<string, Link>();

/** Appends events in order; serialised per session so that publish order equals seq order. */
export function appendEvents(sessionId: string, events: NewEvent[], opts: AppendOptions = {}): Promise<AppendResult> {
  return appendPlanned(sessionId, (row) => (opts.wids ? { events: freshByWid(events, opts.wids, row.workerAck), workerAck: Math.max(row.workerAck, ...opts.wids) } : { events }), opts.fence);
}

/**
 * Appends what `plan` decides on the locked session row (status, ack and output counter as
 * committed), in one transaction; `plan` may throw to store nothing.
 */
export function appendPlanned(sessionId: string, plan: (row: LockedSession) => AppendPlan, fence?: Fence): Promise<AppendResult> {
  const prev = chains.get(sessionId);
  let locked!: () => void;
  const link: Link = { locked: new Promise<void>((resolve) => (locked = resolve)), done: Promise.resolve() };
  const done = appendNow(sessionId, plan, fence, prev, locked);
  link.done = done;
  void done.catch(() => {}).finally(() => {
    locked();
    if (chains.get(sessionId) === link) chains.delete(sessionId);
  });
  chains.set(sessionId, link);
  return done;
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

/**
 * The append after `prev`, pipelined: it opens its transaction (a connection, BEGIN, the fence)
 * once `prev` holds the row, while `prev` writes; its row lock then waits in PostgreSQL for
 * `prev`'s commit. It decides and returns only after `prev` ended and what ran after it (the
 * caller's bookkeeping, in microtasks) has run: plans see the state `prev` left, and publish
 * order stays seq order. At most two transactions per session at once.
 */
async function appendNow(sessionId: string, plan: (row: LockedSession) => AppendPlan, fence: Fence | undefined, prev: Link | undefined, locked: () => void): Promise<AppendResult> {
  if (prev) await prev.locked;
  const turn = prev ? prev.done.then(nextMacrotask, nextMacrotask) : undefined;
  return pgTransaction(async (tx) => {
    // The fence and the row lock leave together (pipelined, in this order, with BEGIN): one round
    // trip. A fence that refuses rolls the lock back with everything else.
    const fenced = fence?.(tx);
    const locking = tx.$queryRaw<{ last_seq: number; worker_ack: number; status: string; output_bytes: string; team_id: string }[]>`
      SELECT last_seq, worker_ack, status, output_bytes, team_id FROM sessions WHERE id = ${sessionId} FOR UPDATE`;
    locking.catch(() => undefined);
    await fenced;
    const rows = await locking;
    locked();
    if (turn) await turn;
    if (!rows.length) throw new Error(`session ${sessionId} does not exist`);
    const row = rows[0];
    let seq = row.last_seq;
    const decided = plan({ status: row.status as SessionStatus, workerAck: row.worker_ack, outputBytes: BigInt(row.output_bytes) });
    const ack = Math.max(row.worker_ack, decided.workerAck ?? 0);
    const now = new Date();
    // Cleaned here so that no append (worker output, a prompt from the API) can wedge a session.
    // The payloads are serialised as one JSON array: the INSERT's parameter as it is, with no
    // per-event copies of megabytes of output to join.
    const clean = cleanSerialized(decided.events.map((e) => e.data));
    const stored = decided.events.map((e, i) => ({ seq: ++seq, type: e.type, ts: e.ts ?? now.toISOString(), data: clean.value[i] }) as SessionEvent);
    const projected = projection(stored);
    // "Needs attention" moves with the events that set or clear it (lib/sessions/attention.ts).
    const attention = attentionColumns(foldAttention(stored));
    const changes = { last_seq: seq, worker_ack: ack, updated_at: now, ...projected, attention: attention.attention, attention_reason: attention.attentionReason, attention_at: attention.attentionAt };
    // The team's month total moves with the session's cost, so the gateway's cap check reads both as one.
    if (projected.cost_usd) await addTeamMonthCost(tx, row.team_id, now, projected.cost_usd.increment);
    // The last statement: it leaves with the COMMIT.
    await writeBatch(tx, sessionId, stored, clean.json, changes, decided.outputBytes ?? 0n);
    return { stored, workerAck: ack };
    // maxWait: under load (a hundred sessions starting) every pooled connection can be busy for a
    // moment; waiting beats failing an append (a lost launch, a worker batch sent again).
  }, { statementTimeoutMs: 30_000, maxWaitMs: 15_000 });
}

const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

type Change = string | number | Date | null | { increment: number };

/**
 * One statement, sent with the COMMIT, one round trip while the row is locked: the batch's INSERT (the rows travel as
 * four arrays, zipped by ROWS FROM, so the statement stays the same size whatever the batch holds) and
 * the session row's UPDATE: the counters, plus what the batch changed (columns named here, never
 * by input). Times go as UTC ISO text: the row's columns are `timestamp` holding UTC, as Prisma
 * writes them.
 */
async function writeBatch(tx: PgTx, sessionId: string, events: SessionEvent[], payloads: string, changes: Record<string, Change | undefined>, outputBytes: bigint): Promise<void> {
  const values: unknown[] = [sessionId, outputBytes.toString()];
  const sets = ["output_bytes = output_bytes + $2"];
  for (const [column, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (value !== null && typeof value === "object" && !(value instanceof Date)) {
      values.push(value.increment);
      sets.push(`${column} = ${column} + $${values.length}`);
    } else {
      values.push(value instanceof Date ? value.toISOString() : value);
      sets.push(`${column} = $${values.length}`);
    }
  }
  const update = `UPDATE sessions SET ${sets.join(", ")} WHERE id = $1`;
  if (!events.length) return tx.queryAndCommit(update, values);
  const n = values.length;
  // The payloads go as one JSON array (not escaped again as an array literal: megabytes). Times are
  // UTC text read as `timestamp` (the zone suffix ignored), like Prisma writes them: a server whose
  // TimeZone is not UTC must not shift them (through timestamptz it would).
  values.push(events.map((e) => e.seq), events.map((e) => e.type), events.map((e) => new Date(e.ts).toISOString()), payloads);
  await tx.queryAndCommit(
    `WITH inserted AS (
       INSERT INTO events (session_id, seq, type, ts, data)
       SELECT $1, s, t, at, d FROM ROWS FROM (unnest($${n + 1}::int[]), unnest($${n + 2}::text[]), unnest($${n + 3}::timestamp[]), jsonb_array_elements($${n + 4}::jsonb)) AS r(s, t, at, d))
     ${update}`,
    values,
  );
}

/** What the session row mirrors from its log (status, tokens, head), as its columns: the log stays the truth. */
function projection(events: SessionEvent[]) {
  const out: {
    status?: SessionStatus;
    failure_reason?: string | null;
    ended_at?: Date | null;
    head_commit?: string;
    review_state?: string;
    input_tokens?: { increment: number };
    output_tokens?: { increment: number };
    cache_read_tokens?: { increment: number };
    cache_write_tokens?: { increment: number };
    cost_usd?: { increment: number };
  } = {};
  let inTok = 0;
  let outTok = 0;
  let cacheRead = 0;
  let cacheWrite = 0;
  let cost = 0;
  for (const e of events) {
    if (e.type === "status") {
      out.status = e.data.status;
      out.failure_reason = e.data.status === "failed" ? (e.data.reason ?? "failed") : null;
      out.ended_at = e.data.status === "stopped" || e.data.status === "failed" ? new Date(e.ts) : null;
    } else if (e.type === "commit") {
      // New work after a review (or a merge) needs a fresh look.
      out.head_commit = e.data.sha;
      out.review_state = "needs_review";
    }
    else if (e.type === "usage") {
      inTok += e.data.inputTokens + (e.data.cacheReadTokens ?? 0) + (e.data.cacheWriteTokens ?? 0);
      outTok += e.data.outputTokens;
      cacheRead += e.data.cacheReadTokens ?? 0;
      cacheWrite += e.data.cacheWriteTokens ?? 0;
      cost += e.data.costUsd ?? 0;
    }
  }
  if (inTok) out.input_tokens = { increment: inTok };
  if (outTok) out.output_tokens = { increment: outTok };
  if (cacheRead) out.cache_read_tokens = { increment: cacheRead };
  if (cacheWrite) out.cache_write_tokens = { increment: cacheWrite };
  if (cost) out.cost_usd = { increment: cost };
  return out;
}

/** Adds to the team's spend of the month (UTC) that `at` falls in. */
async function addTeamMonthCost(tx: PgTx, teamId: string, at: Date, usd: number): Promise<void> {
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
