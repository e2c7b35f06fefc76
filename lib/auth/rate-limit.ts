// A small fixed-window limiter for the endpoints better-auth doesn't cover (API token
// creation, failed bearer tokens). Counted in PostgreSQL so every instance behind a load
// balancer shares one budget: a client spreading its tries over instances gains nothing.
import { db } from "../db/client";
import { AppError } from "../errors";
import { CLIENT_IP_HEADER } from "../http/client-ip";
import type { JobDef } from "../jobs/boss";

/**
 * Counts one call against `key` and throws rate_limited past `max` in the window.
 */
export async function rateLimit(key: string, max: number, windowMs: number): Promise<void> {
  const { count, retryMs } = await hit(key, windowMs);
  if (count > max) throw new AppError("rate_limited", `too many attempts from here: wait ${Math.max(1, Math.ceil(retryMs / 1000))} s, then try again`);
}

/**
 * better-auth's sign-in and sign-up limits on the same table (its default store is one process's
 * memory). For lib/auth/auth.ts: `rateLimit: { customStorage: sharedAuthRateLimit, ... }`.
 */
export const sharedAuthRateLimit = {
  async consume(key: string, rule: { window: number; max: number }): Promise<{ allowed: boolean; retryAfter: number | null }> {
    const { count, retryMs } = await hit(`auth:${key}`, rule.window * 1000);
    return count <= rule.max ? { allowed: true, retryAfter: null } : { allowed: false, retryAfter: Math.max(1, Math.ceil(retryMs / 1000)) };
  },
};

// One atomic upsert: concurrent calls on any instance each see their own count, and a window
// that has run out starts again at 1. Times are the database's clock (instances' clocks may differ).
async function hit(key: string, windowMs: number): Promise<{ count: number; retryMs: number }> {
  const rows = await db().$queryRaw<{ count: number; retry_ms: number }[]>`
    INSERT INTO rate_limits (key, window_start, count)
    VALUES (${key}, timezone('UTC', now()), 1)
    ON CONFLICT (key) DO UPDATE SET
      window_start = CASE WHEN rate_limits.window_start <= timezone('UTC', now()) - make_interval(secs => ${windowMs}::float8 / 1000)
                          THEN timezone('UTC', now()) ELSE rate_limits.window_start END,
      count = CASE WHEN rate_limits.window_start <= timezone('UTC', now()) - make_interval(secs => ${windowMs}::float8 / 1000)
                   THEN 1 ELSE rate_limits.count + 1 END
    RETURNING count,
      (extract(epoch FROM window_start - timezone('UTC', now())) * 1000 + ${windowMs}::float8)::float8 AS retry_ms`;
  return { count: rows[0].count, retryMs: rows[0].retry_ms };
}

/** Deletes windows that ended long ago (the longest window we use is a minute; an hour is ample). */
export async function pruneRateLimits(olderThanMs = 60 * 60_000): Promise<number> {
  return db().$executeRaw`
    DELETE FROM rate_limits WHERE window_start < timezone('UTC', now()) - make_interval(secs => ${olderThanMs}::float8 / 1000)`;
}

export const RATE_LIMIT_JOBS: JobDef[] = [
  { name: "rate-limits.prune", schedule: "17 * * * *", retryLimit: 0, handler: async () => void (await pruneRateLimits()) },
];

/** The address server.ts recorded for this request (never a client-chosen header). */
export function clientIp(headers: Headers): string {
  return headers.get(CLIENT_IP_HEADER) ?? "local";
}
