// The daily cap, counted in PostgreSQL under a per-routine advisory lock taken in the inserting
// transaction: simultaneous triggers (webhooks, run now, instances ticking) cannot all pass it.
import type { Prisma } from "../db/generated/client";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Locks the routine until the transaction ends; answers how many runs were tried in the 24 hours
 * before `now`. Failed runs count: each stores a row and an audit entry (and a check's alert,
 * notification and webhook), so a webhook firing a routine that cannot start stops at the cap too.
 */
export async function lockAndCountRecent(tx: Prisma.TransactionClient, routineId: string, now: Date): Promise<number> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"dockside-routine:" + routineId}))`;
  return tx.routineRun.count({ where: { routineId, state: { in: ["queued", "started", "failed"] }, createdAt: { gt: new Date(now.getTime() - DAY_MS) } } });
}

export const capMessage = (n: number) => `this routine ran ${n} ${n === 1 ? "time" : "times"} in the last 24 hours (its cap); raise its daily cap or wait`;
