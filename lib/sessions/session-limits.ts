// Limits on starting sessions, per person, counted in PostgreSQL (so restarts and several server
// processes agree): sessions in an active status at once, and sessions created per minute.
import { LIVE_STATUSES, type SessionStatus } from "../events/status";
import { env } from "../config/env";
import { AppError } from "../errors";
import type { Prisma } from "../db/generated/client";
import { db } from "../db/client";

/** Statuses in which a session holds (or is about to hold) a sandbox. */
export const ACTIVE_STATUSES = LIVE_STATUSES as SessionStatus[];

type Tx = Prisma.TransactionClient | ReturnType<typeof db>;

/** 429 when `userId` is at either limit. Inside a transaction, take lockSessionQuota first. */
export async function checkSessionLimits(userId: string, tx: Tx = db()): Promise<void> {
  const e = env();
  const [active, lastMinute] = await Promise.all([
    tx.session.count({ where: { createdById: userId, status: { in: ACTIVE_STATUSES } } }),
    tx.session.count({ where: { createdById: userId, createdAt: { gt: new Date(Date.now() - 60_000) } } }),
  ]);
  const max = e.DOCKSIDE_MAX_ACTIVE_SESSIONS_PER_USER;
  if (active >= max) {
    throw new AppError("rate_limited", `you already have ${active} active sessions (the limit is ${max} per person): stop a session you no longer need, then start this one`);
  }
  const perMinute = e.DOCKSIDE_SESSIONS_PER_MINUTE;
  if (lastMinute >= perMinute) {
    throw new AppError("rate_limited", `you started ${lastMinute} sessions in the last minute (the limit is ${perMinute} a minute): wait a minute, then try again`);
  }
}

/** Serialises session creation per person until the transaction ends, so two requests cannot both pass the check. */
export async function lockSessionQuota(tx: Prisma.TransactionClient, userId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"dockside-session-quota:" + userId}))`;
}
