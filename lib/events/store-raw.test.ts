// The append runs on plain pg (lib/db/pg.ts), not Prisma: what Prisma did for it must still hold.
// The lease's fence in the same transaction, times as Prisma reads them, the projection's columns
// and the team's month, and connections given back after failures.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDb, db } from "../db/client";
import { AppError } from "../errors";
import { acquireLease, checkFence, releaseAllLeases } from "../runner/lease";
import { stopInstance } from "../runner/instance";
import { ensureDefaultTeam, DEFAULT_TEAM_ID } from "../sessions/team";
import { newSessionId } from "../sessions/create-session";
import { ev } from "./schema";
import { appendEvents, appendPlanned, monthStart, readEvents } from "./store";

async function newSession(status = "running"): Promise<string> {
  const id = newSessionId();
  await db().session.create({ data: { id, teamId: DEFAULT_TEAM_ID, repo: "/r", baseBranch: "main", branch: `dockside/${id.slice(0, 8)}`, prompt: "p", model: "m", status } });
  return id;
}

describe("event append on plain pg (real PostgreSQL)", () => {
  beforeAll(async () => {
    connectDb(process.env.DATABASE_URL!);
    await ensureDefaultTeam();
  });
  afterAll(async () => {
    await releaseAllLeases();
    await stopInstance();
  });

  it("stores nothing when the lease's fence refuses, and stores when this instance holds the lease", async () => {
    const id = await newSession();
    const lease = (await acquireLease(id))!;
    const stale = appendEvents(id, [ev("error", { message: "from an instance that lost it" })], { fence: (tx) => checkFence(tx, id, lease.epoch - 1) });
    await expect(stale).rejects.toThrow(/now run by another Dockside instance/);
    await expect(stale).rejects.toBeInstanceOf(AppError);
    expect(await readEvents(id, 0, 10)).toEqual([]);
    const ok = await appendEvents(id, [ev("error", { message: "ours" })], { fence: (tx) => checkFence(tx, id, lease.epoch) });
    expect(ok.stored.map((e) => e.seq)).toEqual([1]);
    expect((await db().session.findUniqueOrThrow({ where: { id } })).lastSeq).toBe(1);
  });

  it("rolls back a plan that throws and gives every connection back (more failures than the pool holds)", async () => {
    const id = await newSession();
    for (let i = 0; i < 25; i++) {
      await expect(appendPlanned(id, () => { throw new AppError("conflict", "no"); })).rejects.toThrow("no");
    }
    await expect(appendEvents("no-such-session", [ev("error", { message: "x" })])).rejects.toThrow(/does not exist/);
    const r = await appendEvents(id, [ev("error", { message: "after" })]);
    expect(r.stored.map((e) => e.seq)).toEqual([1]);
  });

  it("writes the row's times, counters and attention as Prisma reads them, and the team's month cost", async () => {
    const id = await newSession();
    const before = Date.now();
    const costBefore = (await db().teamUsageMonth.findUnique({ where: { teamId_month: { teamId: DEFAULT_TEAM_ID, month: new Date(`${monthStart(new Date())}T00:00:00Z`) } } }))?.costUsd ?? 0;
    await appendPlanned(id, () => ({
      events: [
        ev("usage", { model: "m", inputTokens: 10, outputTokens: 2, cacheReadTokens: 5, cacheWriteTokens: 1, costUsd: 0.25 }),
        ev("error", { source: "model", message: "Model call failed: overloaded" }),
        { ...ev("status", { status: "failed", reason: "boom" }), ts: "2026-06-01T10:00:00.000Z" },
      ],
      workerAck: 7,
      outputBytes: 5_000_000_000n,
    }));
    const row = await db().session.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: "failed", failureReason: "boom", inputTokens: 16, outputTokens: 2, cacheReadTokens: 5, cacheWriteTokens: 1, costUsd: 0.25, workerAck: 7, lastSeq: 3, outputBytes: 5_000_000_000n, attention: "failed", attentionReason: "boom" });
    expect(row.endedAt?.toISOString()).toBe("2026-06-01T10:00:00.000Z");
    expect(row.attentionAt?.toISOString()).toBe("2026-06-01T10:00:00.000Z");
    expect(row.updatedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(row.updatedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    const month = await db().teamUsageMonth.findUniqueOrThrow({ where: { teamId_month: { teamId: DEFAULT_TEAM_ID, month: new Date(`${monthStart(new Date())}T00:00:00Z`) } } });
    expect(month.costUsd).toBeCloseTo(costBefore + 0.25);

    // Running again clears the attention and the end; counters only grow, the ack never goes back.
    await appendPlanned(id, () => ({ events: [ev("status", { status: "running" })], workerAck: 3, outputBytes: 1n }));
    const again = await db().session.findUniqueOrThrow({ where: { id } });
    expect(again).toMatchObject({ status: "running", failureReason: null, endedAt: null, attention: null, attentionReason: null, attentionAt: null, workerAck: 7, outputBytes: 5_000_000_001n, lastSeq: 4 });
    const stored = await readEvents(id, 0, 10);
    expect(stored.map((e) => e.ts)[2]).toBe("2026-06-01T10:00:00.000Z");
  });

  it("pipelines a session's appends: each plan sees what the caller did after the one before, results come in seq order", async () => {
    const id = await newSession();
    let seen = 0;
    const order: number[] = [];
    const calls = Array.from({ length: 6 }, (_, i) =>
      appendPlanned(id, (row) => {
        // The caller's bookkeeping after append i-1 (a microtask after it resolved) is visible here.
        expect(seen).toBe(i);
        if (i === 2) throw new AppError("conflict", "refused");
        return { events: [ev("error", { message: `m${i}` })], workerAck: row.workerAck + 1 };
      }).then(
        (r) => (order.push(r.stored[0].seq), (seen = i + 1)),
        () => (seen = i + 1),
      ),
    );
    await Promise.all(calls);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect((await readEvents(id, 0, 10)).map((e) => (e.type === "error" ? e.data.message : ""))).toEqual(["m0", "m1", "m3", "m4", "m5"]);
    expect((await db().session.findUniqueOrThrow({ where: { id } })).workerAck).toBe(5);
  });
});
