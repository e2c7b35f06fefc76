import { beforeAll, describe, expect, it } from "vitest";
import { connectDb, db } from "../db/client";
import { ensureDefaultTeam, DEFAULT_TEAM_ID } from "../sessions/team";
import { newSessionId } from "../sessions/create-session";
import { ev } from "./schema";
import { appendEvents, readEvents } from "./store";

async function newSession(): Promise<string> {
  const id = newSessionId();
  await db().session.create({ data: { id, teamId: DEFAULT_TEAM_ID, repo: "/r", baseBranch: "main", branch: `dockside/${id.slice(0, 8)}`, prompt: "p", model: "m", status: "queued" } });
  return id;
}

describe("event log (real PostgreSQL)", () => {
  beforeAll(async () => {
    connectDb(process.env.DATABASE_URL!);
    await ensureDefaultTeam();
  });

  it("numbers events 1, 2, 3... without gaps under concurrent writers", async () => {
    const id = await newSession();
    await Promise.all(Array.from({ length: 40 }, (_, i) => appendEvents(id, [ev("assistant.text", { block: "b", text: String(i) }), ev("error", { message: "x" })])));
    const events = await readEvents(id, 0, 1000);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    expect((await db().session.findUniqueOrThrow({ where: { id } })).lastSeq).toBe(80);
  });

  it("stores a worker's resent events once (idempotent by wid)", async () => {
    const id = await newSession();
    const batch = [1, 2, 3].map((n) => ev("tool.output", { callId: "c", stream: "stdout", text: `line ${n}\n` }));
    expect((await appendEvents(id, batch, { wids: [1, 2, 3] })).workerAck).toBe(3);
    const again = await appendEvents(id, [...batch, ev("tool.output", { callId: "c", stream: "stdout", text: "line 4\n" })], { wids: [2, 3, 4, 5] });
    expect(again.stored.map((e) => e.seq)).toEqual([4, 5]);
    const texts = (await readEvents(id, 0, 100)).map((e) => (e.type === "tool.output" ? e.data.text : ""));
    expect(texts).toEqual(["line 1\n", "line 2\n", "line 3\n", "line 3\n", "line 4\n"]);
  });

  it("refuses a jump in worker event numbers whole, and cleans what Postgres would refuse", async () => {
    const id = await newSession();
    await appendEvents(id, [ev("tool.output", { callId: "c", stream: "stdout", text: "a" })], { wids: [1] });
    await expect(appendEvents(id, [ev("error", { message: "x" })], { wids: [3] })).rejects.toThrow(/advance one by one/);
    await expect(appendEvents(id, [ev("error", { message: "x" }), ev("error", { message: "y" })], { wids: [2, 4] })).rejects.toThrow(/consecutive/);
    await appendEvents(id, [ev("error", { message: "nul \u0000 and \ud800" })], { wids: [2] });
    const events = await readEvents(id, 0, 10);
    expect(events.map((e) => (e.type === "error" ? e.data.message : "out"))).toEqual(["out", "nul \uFFFD and \uFFFD"]);
    expect((await db().session.findUniqueOrThrow({ where: { id } })).workerAck).toBe(2);
  });

  it("mirrors status, tokens and head commit onto the session row", async () => {
    const id = await newSession();
    await appendEvents(id, [
      ev("usage", { model: "m", inputTokens: 100, outputTokens: 20 }),
      ev("usage", { model: "m", inputTokens: 50, outputTokens: 5 }),
      ev("commit", { sha: "a".repeat(40), message: "m", filesChanged: 1, insertions: 1, deletions: 0 }),
      ev("status", { status: "failed", reason: "clone failed: boom" }),
    ]);
    const row = await db().session.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ inputTokens: 150, outputTokens: 25, headCommit: "a".repeat(40), status: "failed", failureReason: "clone failed: boom" });
  });

  it("pages through the log with after/limit", async () => {
    const id = await newSession();
    await appendEvents(id, Array.from({ length: 10 }, (_, i) => ev("error", { message: String(i) })));
    expect((await readEvents(id, 3, 4)).map((e) => e.seq)).toEqual([4, 5, 6, 7]);
  });
});
