// Large worker batches go in as one INSERT: they must still land in seq order, masked, searchable,
// once per wid, and move the session's counters.
import { beforeAll, describe, expect, it } from "vitest";
import { connectDb, db } from "../db/client";
import { ensureDefaultTeam, DEFAULT_TEAM_ID } from "../sessions/team";
import { newSessionId } from "../sessions/create-session";
import { planWorkerBatch } from "../sessions/worker-events";
import type { WorkerEventBatch } from "../protocol/worker";
import { cleanSerialized } from "./sanitize";
import { appendPlanned, readEvents } from "./store";

async function newSession(): Promise<string> {
  const id = newSessionId();
  await db().session.create({ data: { id, teamId: DEFAULT_TEAM_ID, repo: "/r", baseBranch: "main", branch: `dockside/${id.slice(0, 8)}`, prompt: "p", model: "m", status: "running" } });
  return id;
}

const SECRET = "sk-very-secret-value";
const batch = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ wid: from + i, type: "tool.output", data: { callId: "c1", stream: "stdout", text: `line ${from + i} ${i % 100 === 7 ? SECRET : "zebracorn"}\n` } })) as WorkerEventBatch["events"];

const policy = { stopAsked: false, outputCapBytes: 1n << 30n, dropped: new Map<string, number>(), masks: [SECRET] };
const store = (id: string, events: WorkerEventBatch["events"]) => appendPlanned(id, (row) => planWorkerBatch(events, row, policy));

describe("batched appends (real PostgreSQL)", () => {
  beforeAll(async () => {
    connectDb(process.env.DATABASE_URL!);
    await ensureDefaultTeam();
  });

  it("stores a 1,000-event worker batch in seq order, masked and searchable, and a resend once", async () => {
    const id = await newSession();
    const first = batch(1, 1000);
    const result = await store(id, first);
    expect(result.stored.map((e) => e.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    // A resend overlapping the stored wids adds only the new ones, after the others.
    const again = await store(id, [...first.slice(990), ...batch(1001, 5)]);
    expect(again.stored.map((e) => e.seq)).toEqual([1001, 1002, 1003, 1004, 1005]);

    const events = await readEvents(id, 0, 2000);
    const texts = events.map((e) => (e.type === "tool.output" ? e.data.text : ""));
    expect(texts).toHaveLength(1005);
    expect(texts[0]).toBe("line 1 zebracorn\n");
    expect(texts[7]).toBe("line 8 ***\n");
    expect(texts[1004]).toBe("line 1005 zebracorn\n");
    expect(texts.join("")).not.toContain(SECRET);

    const row = await db().session.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ lastSeq: 1005, workerAck: 1005 });
    // Counted as produced (before masking), each wid once.
    const produced = [...first, ...batch(1001, 5)].reduce((s, e) => s + Buffer.byteLength((e.data as { text: string }).text), 0);
    expect(Number(row.outputBytes)).toBe(produced);
    const [found] = await db().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM events WHERE session_id = ${id} AND search @@ websearch_to_tsquery('english', 'zebracorn')`;
    expect(found.n).toBe(995);
  });

  it("keeps each event's own timestamp", async () => {
    const id = await newSession();
    const ts = new Date(Date.now() - 60_000).toISOString();
    const [one] = batch(1, 1);
    await store(id, [{ ...one, ts } as WorkerEventBatch["events"][number]]);
    expect((await readEvents(id, 0, 1))[0].ts).toBe(ts);
  });
});

describe("cleanSerialized", () => {
  it("serializes a clean value once and keeps the object", () => {
    const value = { text: "plain \u00e9 \ud83d\ude00", n: 1 };
    const out = cleanSerialized(value);
    expect(out.value).toBe(value);
    expect(out.json).toBe(JSON.stringify(value));
  });

  it("cleans NUL and lone surrogates in strings and keys, and survives a false alarm", () => {
    expect(cleanSerialized({ ["k\u0000"]: "a\ud800b" }).json).toBe(JSON.stringify({ "k\uFFFD": "a\uFFFDb" }));
    const typed = { text: "the text \\u0000 typed literally" };
    expect(cleanSerialized(typed).value).toEqual(typed);
  });
});
