// A session as it stood at `seq`: what a pinned share shows. The row mirrors the latest state,
// which would reveal what happened after the pin (a later failure, commit or token spend).
import { db } from "../db/client";
import { Prisma } from "../db/generated/client";
import type { SessionDto } from "../protocol/api";
import { SessionStatus } from "../events/schema";

interface AsOfRow {
  status: string | null;
  reason: string | null;
  status_ts: Date | string | null;
  head: string | null;
  input_tokens: bigint | number | null;
  output_tokens: bigint | number | null;
  cache_read: bigint | number | null;
  cache_write: bigint | number | null;
  cost_usd: number | null;
  pinned_ts: Date | string | null;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v instanceof Date ? v : `${v}Z`).toISOString());

export async function sessionAsOf(session: SessionDto, seq: number): Promise<SessionDto> {
  if (seq >= session.lastSeq) return session;
  const upTo = Prisma.sql`e.session_id = ${session.id} AND e.seq <= ${seq}`;
  const [row] = await db().$queryRaw<AsOfRow[]>(Prisma.sql`
    SELECT st.data->>'status' AS status, st.data->>'reason' AS reason, st.ts AS status_ts,
      (SELECT e.data->>'sha' FROM events e WHERE ${upTo} AND e.type = 'commit' ORDER BY e.seq DESC LIMIT 1) AS head,
      (SELECT sum((e.data->>'inputTokens')::bigint + coalesce((e.data->>'cacheReadTokens')::bigint, 0) + coalesce((e.data->>'cacheWriteTokens')::bigint, 0))
         FROM events e WHERE ${upTo} AND e.type = 'usage') AS input_tokens,
      (SELECT sum((e.data->>'outputTokens')::bigint) FROM events e WHERE ${upTo} AND e.type = 'usage') AS output_tokens,
      (SELECT sum(coalesce((e.data->>'cacheReadTokens')::bigint, 0)) FROM events e WHERE ${upTo} AND e.type = 'usage') AS cache_read,
      (SELECT sum(coalesce((e.data->>'cacheWriteTokens')::bigint, 0)) FROM events e WHERE ${upTo} AND e.type = 'usage') AS cache_write,
      (SELECT sum(coalesce((e.data->>'costUsd')::float8, 0)) FROM events e WHERE ${upTo} AND e.type = 'usage') AS cost_usd,
      (SELECT e.ts FROM events e WHERE e.session_id = ${session.id} AND e.seq = ${seq}) AS pinned_ts
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (SELECT e.data, e.ts FROM events e WHERE ${upTo} AND e.type = 'status' ORDER BY e.seq DESC LIMIT 1) st ON true`);
  const status = SessionStatus.safeParse(row?.status);
  const ended = status.success && (status.data === "stopped" || status.data === "failed");
  return {
    ...session,
    status: status.success ? status.data : "queued",
    failureReason: status.success && status.data === "failed" ? (row?.reason ?? "failed") : null,
    endedAt: ended ? iso(row?.status_ts ?? null) : null,
    headCommit: row?.head ?? null,
    inputTokens: Number(row?.input_tokens ?? 0),
    outputTokens: Number(row?.output_tokens ?? 0),
    usage: {
      inputTokens: Math.max(0, Number(row?.input_tokens ?? 0) - Number(row?.cache_read ?? 0) - Number(row?.cache_write ?? 0)),
      outputTokens: Number(row?.output_tokens ?? 0),
      cacheReadTokens: Number(row?.cache_read ?? 0),
      cacheWriteTokens: Number(row?.cache_write ?? 0),
      costUsd: Number(row?.cost_usd ?? 0),
    },
    lastSeq: seq,
    updatedAt: iso(row?.pinned_ts ?? null) ?? session.updatedAt,
  };
}
