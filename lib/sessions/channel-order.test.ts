// Two worker batches in flight at once (sandbox/worker/outbox.ts) may reach the host in either
// order: the host stores them in wid order, every event once, over the real channel socket.
import { afterAll, describe, expect, it } from "vitest";
import { openTestSession, type TestSession } from "../../test/channel-client";
import { allEvents } from "../../test/session-harness";
import { db } from "../db/client";
import { WidOrder } from "../events/wid-order";

const open: TestSession[] = [];
async function session(): Promise<TestSession> {
  const s = await openTestSession({ status: "running" });
  open.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
});

const out = (wid: number) => ({ wid, type: "tool.output", data: { callId: "c1", stream: "stdout", text: `line ${wid}\n` } });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => out(from + i));
const texts = async (id: string) => (await allEvents(id)).flatMap((e) => (e.type === "tool.output" ? [e.data.text] : []));

describe("worker batches in flight together", () => {
  it("stores a second batch that arrives first after the first one, in wid order", async () => {
    const s = await session();
    const second = s.post(range(201, 400));
    // Let the second batch reach the host and wait there before the first one is even sent.
    await new Promise((r) => setTimeout(r, 200));
    const first = s.post(range(1, 200));
    const [a, b] = await Promise.all([first, second]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.json()).toEqual({ ack: 400 });
    expect(await texts(s.id)).toEqual(range(1, 400).map((e) => e.data.text));
    const seqs = (await allEvents(s.id)).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it("still refuses, after a short wait, a batch whose predecessor never comes; nothing of it is stored", async () => {
    const s = await session();
    expect((await s.post(range(1, 10))).status).toBe(200);
    const gap = await s.post(range(50, 60));
    expect(gap.status).toBe(409);
    expect(gap.json()).toMatchObject({ ack: 10 });
    expect((await db().session.findUniqueOrThrow({ where: { id: s.id } })).workerAck).toBe(10);
    // The worker resends from the ack and everything is there once.
    expect((await s.post(range(11, 20))).json()).toEqual({ ack: 20 });
    expect(await texts(s.id)).toEqual(range(1, 20).map((e) => e.data.text));
  });
});

describe("WidOrder", () => {
  it("hands batches to the append chain in wid order, whatever order they arrive in", async () => {
    const order = new WidOrder(async () => 0, 5_000);
    const entered: number[] = [];
    const enter = (first: number) => async () => void entered.push(first);
    const third = order.run(21, 30, enter(21));
    const second = order.run(11, 20, enter(11));
    await new Promise((r) => setTimeout(r, 20));
    expect(entered).toEqual([]);
    await Promise.all([order.run(1, 10, enter(1)), second, third]);
    expect(entered).toEqual([1, 11, 21]);
  });
});
