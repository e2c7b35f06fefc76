// The shared limiter on the real database: concurrent calls (as from several instances) are
// counted exactly, a window that ran out starts again, and old windows are pruned.
import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { db } from "../db/client";
import { pruneRateLimits, rateLimit, sharedAuthRateLimit } from "./rate-limit";

it("lets exactly `max` of many concurrent calls through in one window", async () => {
  const key = `test:${randomUUID()}`;
  const results = await Promise.allSettled(Array.from({ length: 40 }, () => rateLimit(key, 10, 60_000)));
  expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(10);
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  expect(refused).toHaveLength(30);
  expect(refused[0].reason).toMatchObject({ code: "rate_limited" });
  expect((refused[0].reason as Error).message).toMatch(/wait \d+ s, then try again/);
});

it("starts a new window once the old one ran out", async () => {
  const key = `test:${randomUUID()}`;
  await rateLimit(key, 1, 60_000);
  await expect(rateLimit(key, 1, 60_000)).rejects.toMatchObject({ code: "rate_limited" });
  // Age the window as the clock would (no sleeping in tests).
  await db().$executeRaw`UPDATE rate_limits SET window_start = window_start - interval '61 seconds' WHERE key = ${key}`;
  await rateLimit(key, 1, 60_000);
  expect((await db().rateLimit.findUnique({ where: { key } }))!.count).toBe(1);
});

it("prunes windows that ended long ago and keeps current ones", async () => {
  const old = `test:${randomUUID()}`;
  const current = `test:${randomUUID()}`;
  await rateLimit(old, 5, 60_000);
  await rateLimit(current, 5, 60_000);
  await db().$executeRaw`UPDATE rate_limits SET window_start = window_start - interval '2 hours' WHERE key = ${old}`;
  await pruneRateLimits();
  expect(await db().rateLimit.findUnique({ where: { key: old } })).toBeNull();
  expect(await db().rateLimit.findUnique({ where: { key: current } })).not.toBeNull();
});

it("gives better-auth's limiter the same shared count", async () => {
  const key = `/sign-in/email|${randomUUID()}`;
  const rule = { window: 60, max: 3 };
  const answers = await Promise.all(Array.from({ length: 5 }, () => sharedAuthRateLimit.consume(key, rule)));
  expect(answers.filter((a) => a.allowed)).toHaveLength(3);
  expect(answers.find((a) => !a.allowed)!.retryAfter).toBeGreaterThan(0);
});
