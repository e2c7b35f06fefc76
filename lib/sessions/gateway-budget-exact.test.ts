// Budgets stay exact when the gateway no longer waits for the previous call's usage to be stored:
// cost on its way to the log counts from memory, cost already in the log counts from PostgreSQL,
// and a record committed while the check runs is counted once, never twice or not at all.
import crypto from "node:crypto";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODEL, request, startGatewayRig, type TestSession } from "../../test/channel-client";
import { waitFor } from "../../test/fixtures";
import { allEvents } from "../../test/session-harness";
import { db } from "../db/client";
import { ev, type NewEvent } from "../events/schema";
import { appendEvents } from "../events/store";
import type { ModelStub } from "../modelstub/server";
import { budgetCheck, type Unrecorded } from "./budget";
import { BudgetGate, FRESH_MS } from "./gateway-budget-gate";
import { UsageJournal } from "./usage-journal";

let rig: Awaited<ReturnType<typeof startGatewayRig>>;
let stub: ModelStub;
beforeAll(async () => {
  rig = await startGatewayRig([{ match: "EXACT-ok", steps: [{ usage: { inputTokens: 40_000, outputTokens: 2_000 }, blocks: [{ type: "text", text: "priced answer" }] }] }]);
  stub = rig.stub;
});
afterAll(async () => rig?.close());

const ask = (prompt: string) => ({ model: MODEL, max_tokens: 1024, stream: true, messages: [{ role: "user", content: [{ type: "text", text: prompt }] }] });
const call = (s: TestSession, prompt: string) => request(s.socket, "POST", "/v1/messages", ask(prompt), { "anthropic-version": "2023-06-01" });
const costs = async (id: string) => (await allEvents(id)).flatMap((e) => (e.type === "usage" ? [e.data.costUsd ?? 0] : []));
const usageWithKey = (key: string, costUsd: number) => ({ ...ev("usage", { model: MODEL, inputTokens: 1, outputTokens: 1, costUsd }), data: { model: MODEL, inputTokens: 1, outputTokens: 1, costUsd, key } }) as unknown as NewEvent;

describe("exact budgets without waiting for usage to be stored", () => {
  it("refuses the call right after the one that reached the budget, and counts every forwarded call once", async () => {
    const probe = await rig.session();
    expect((await call(probe, "EXACT-ok probe")).status).toBe(200);
    const [perCall] = await waitFor(async () => ((await costs(probe.id)).length ? costs(probe.id) : null), "the probe's cost");
    expect(perCall).toBeGreaterThan(0);

    // Room for two and a half calls: the third is forwarded (two spent), the fourth is not.
    const s = await rig.session();
    await db().session.update({ where: { id: s.id }, data: { budgetUsd: perCall * 2.5 } });
    const before = stub.requests.length;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(s, `EXACT-ok back to back ${i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 400, 400]);
    expect(stub.requests.length - before).toBe(3);
    // Nothing lost or counted twice: three usage events, and the row holds exactly their sum.
    const stored = await waitFor(async () => ((await costs(s.id)).length === 3 ? costs(s.id) : null), "three usage events");
    const row = await waitFor(async () => {
      const r = await db().session.findUniqueOrThrow({ where: { id: s.id } });
      return Math.abs(r.costUsd - perCall * 3) < 1e-9 ? r : null;
    }, "the row's cost");
    expect(row.costUsd).toBeCloseTo(stored.reduce((a, c) => a + c, 0), 9);
  });

  it("counts a record committed before the check from PostgreSQL only, and one not yet committed from memory", async () => {
    const s = await rig.session();
    await db().session.update({ where: { id: s.id }, data: { budgetUsd: 1 } });
    const { lastSeq } = await budgetCheck(s.id, []);
    const stored = crypto.randomUUID();
    await appendEvents(s.id, [usageWithKey(stored, 0.6)]);
    // The journal has not heard back yet, but the row already holds it: counted once (0.60 < 1.00).
    expect((await budgetCheck(s.id, [{ key: stored, costUsd: 0.6, afterSeq: lastSeq }])).refusal).toBeNull();
    // A second record still on its way: 0.60 stored + 0.50 in memory.
    const onItsWay = { key: crypto.randomUUID(), costUsd: 0.5, afterSeq: lastSeq };
    expect((await budgetCheck(s.id, [{ key: stored, costUsd: 0.6, afterSeq: lastSeq }, onItsWay])).refusal).toBe("budget reached: $1.10 of $1.00 (session budget); raise it to continue");
    expect((await budgetCheck(s.id, [onItsWay])).refusal).toMatch(/^budget reached: \$1\.10/);
  });

  it("keeps a record's cost in the journal's count from the moment it is recorded until it is stored or given up", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const dir = path.join(os.tmpdir(), `usage-${crypto.randomUUID()}`);
    const journal = new UsageJournal("s-journal", dir, () => gate, () => {});
    const done = journal.record(ev("usage", { model: MODEL, inputTokens: 1, outputTokens: 1, costUsd: 0.25 }), 7);
    expect(journal.unrecorded()).toEqual([{ key: expect.any(String), costUsd: 0.25, afterSeq: 7 }]);
    release();
    await done;
    expect(journal.unrecorded()).toEqual([]);

    const failing = new UsageJournal("s-journal", dir, async () => Promise.reject(new Error("the session is gone")), () => {});
    await failing.record(ev("usage", { model: MODEL, inputTokens: 1, outputTokens: 1, costUsd: 0.25 }));
    expect(failing.unrecorded()).toEqual([]);
  });
});

describe("the budget gate's snapshot", () => {
  it("decides from the snapshot only while certain, asks PostgreSQL near the limit, and sees a lowered budget once the snapshot is old", async () => {
    const s = await rig.session();
    await db().session.update({ where: { id: s.id }, data: { budgetUsd: 1 } });
    let clock = 0;
    let unrecorded: Unrecorded[] = [];
    const gate = new BudgetGate(s.id, () => unrecorded, () => clock);
    expect((await gate.check()).refusal).toBeNull(); // the first check reads PostgreSQL
    // 0.60 known here, not stored anywhere yet: 0.60 < 1.00 for certain.
    const first = { key: crypto.randomUUID(), costUsd: 0.6, afterSeq: 0 };
    gate.recorded(0.6);
    unrecorded = [first];
    expect((await gate.check()).refusal).toBeNull();
    // Another 0.50: the snapshot can no longer say, PostgreSQL plus memory refuses (1.10).
    gate.recorded(0.5);
    unrecorded = [first, { key: crypto.randomUUID(), costUsd: 0.5, afterSeq: 0 }];
    expect((await gate.check()).refusal).toBe("budget reached: $1.10 of $1.00 (session budget); raise it to continue");
    // A raise is seen at the very next call.
    await db().session.update({ where: { id: s.id }, data: { budgetUsd: 5 } });
    expect((await gate.check()).refusal).toBeNull();
    // A budget lowered below the spend: seen once the snapshot is older than FRESH_MS.
    await db().session.update({ where: { id: s.id }, data: { budgetUsd: 1 } });
    clock += FRESH_MS;
    expect((await gate.check()).refusal).toMatch(/^budget reached: \$1\.10 of \$1\.00/);
  });
});
