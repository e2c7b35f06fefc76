// A small fixed-window limiter for the endpoints better-auth doesn't cover (API token
// creation, failed bearer tokens). In memory: one instance per process.
import { AppError } from "../errors";
import { CLIENT_IP_HEADER } from "../http/client-ip";

const g = globalThis as unknown as { __docksideLimits?: Map<string, { start: number; n: number }> };

export function rateLimit(key: string, max: number, windowMs: number): void {
  const buckets = (g.__docksideLimits ??= new Map());
  const now = Date.now();
  const b = buckets.get(key);
  if (!b || now - b.start >= windowMs) {
    buckets.set(key, { start: now, n: 1 });
    if (buckets.size > 50_000) for (const [k, v] of buckets) if (now - v.start >= windowMs) buckets.delete(k);
    return;
  }
  b.n++;
  if (b.n > max) throw new AppError("rate_limited", `too many requests; try again in ${Math.ceil((b.start + windowMs - now) / 1000)} s`);
}

/** The address server.ts recorded for this request (never a client-chosen header). */
export function clientIp(headers: Headers): string {
  return headers.get(CLIENT_IP_HEADER) ?? "local";
}
