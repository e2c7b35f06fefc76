// The model gateway while PostgreSQL is away, on a cluster of this file's own that it stops and
// starts (not the suite's shared one): the budget check answers a retryable 503 and forwards
// nothing; usage of a call that finished during the outage is written ahead to the session's
// host-only directory, and stored exactly once when the database is back, also after a crash
// (the in-memory queue lost, the file replayed) and a replay of what was already stored.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODEL, request, startGatewayRig, type TestSession } from "../../test/channel-client";
import { waitFor } from "../../test/fixtures";
import { freePort } from "../../test/http-harness";
import { env } from "../config/env";
import { connectDb, db } from "../db/client";
import { startEmbeddedPostgres, type EmbeddedDb } from "../db/embedded";
import { migrate } from "../db/migrate";
import { ev } from "../events/schema";
import { appendEvents } from "../events/store";
import type { ModelStub } from "../modelstub/server";
import { pendingUsageDir, replayPendingUsage, UsageJournal } from "./usage-journal";

let root = "";
let port = 0;
let cluster: EmbeddedDb | undefined;
let rig: Awaited<ReturnType<typeof startGatewayRig>>;
let stub: ModelStub;

const up = async () => void (cluster = await startEmbeddedPostgres(path.join(root, "db"), port));
const down = async () => {
  await cluster?.stop();
  cluster = undefined;
};

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-gw-outage-"));
  fs.chmodSync(root, 0o755);
  port = await freePort();
  await up();
  await migrate(cluster!.url);
  // Before anything else connects: this file's client is on its own cluster.
  process.env.DATABASE_URL = cluster!.url;
  connectDb(cluster!.url);
  rig = await startGatewayRig([
    { match: "OUTAGE-slow", steps: [{ delayMs: 4000, usage: { inputTokens: 1234, outputTokens: 56 }, blocks: [{ type: "text", text: "slow answer" }] }] },
    { match: "OUTAGE-fast", steps: [{ usage: { inputTokens: 10, outputTokens: 1 }, blocks: [{ type: "text", text: "fast answer" }] }] },
  ]);
  stub = rig.stub;
});

afterAll(async () => {
  await rig?.close().catch(() => {});
  await down();
  fs.rmSync(root, { recursive: true, force: true });
});

const ask = (prompt: string) => ({ model: MODEL, max_tokens: 1024, stream: true, messages: [{ role: "user", content: [{ type: "text", text: prompt }] }] });
const call = (s: TestSession, prompt: string) => request(s.socket, "POST", "/v1/messages", ask(prompt), { "anthropic-version": "2023-06-01" });
const usageRows = (id: string) => db().event.findMany({ where: { sessionId: id, type: "usage" }, orderBy: { seq: "asc" } });
const pendingFiles = (id: string) => {
  const dir = pendingUsageDir(env().dataDir, id);
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith(".json")) : [];
};

describe("the model gateway during a database outage", () => {
  it("answers the budget check with a retryable 503 and forwards nothing", async () => {
    const s = await rig.session();
    await down();
    try {
      const before = stub.requests.length;
      const r = await call(s, "OUTAGE-fast while down");
      expect(r.status).toBe(503);
      expect(r.headers["retry-after"]).toBe("5");
      expect(r.headers["x-should-retry"]).toBe("true");
      expect(r.json()).toEqual({ type: "error", error: { type: "api_error", message: expect.stringMatching(/^Dockside's database is unavailable .*not forwarded; retry shortly$/) } });
      expect(stub.requests.length).toBe(before);
    } finally {
      await up();
    }
    expect((await call(s, "OUTAGE-fast after")).status).toBe(200);
  });

  it("keeps the usage of a call that finished during the outage and stores it once when the database is back", async () => {
    const s = await rig.session();
    const before = stub.requests.length;
    const answer = call(s, "OUTAGE-slow");
    // The budget check passed and the stub is answering: the database goes away meanwhile.
    await waitFor(async () => stub.requests.length > before, "the forwarded call");
    await down();
    try {
      expect((await answer).status).toBe(200);
      // Written ahead to the session's host-only directory before the append was tried.
      expect(await waitFor(async () => pendingFiles(s.id).length === 1, "the written-ahead usage")).toBe(true);
    } finally {
      await up();
    }
    const stored = await waitFor(async () => {
      const rows = await usageRows(s.id);
      return rows.length && pendingFiles(s.id).length === 0 ? rows : null;
    }, "the usage stored after the outage");
    expect(stored).toHaveLength(1);
    expect(stored[0].data).toMatchObject({ model: MODEL, inputTokens: 1234, outputTokens: 56, key: expect.any(String) });
    const row = await db().session.findUniqueOrThrow({ where: { id: s.id } });
    expect(row.outputTokens).toBe(56);
  });

  it("replays usage a crashed Dockside left on disk, once, and never what was already stored", async () => {
    const s = await rig.session();
    const dir = pendingUsageDir(env().dataDir, s.id);
    const store = async (e: Parameters<typeof appendEvents>[1][number]) => void (await appendEvents(s.id, [e]));
    const lost: string[] = [];
    await down();
    try {
      const journal = new UsageJournal(s.id, dir, store, (l) => void lost.push(l));
      await journal.record(ev("usage", { model: MODEL, inputTokens: 7, outputTokens: 3 }));
      expect(lost).toEqual([]);
      expect(journal.queued).toBe(1);
      expect(pendingFiles(s.id)).toHaveLength(1);
      // The process dies: the queue in memory is gone, the file is not.
      journal.close();
    } finally {
      await up();
    }
    expect(pendingFiles(s.id)).toHaveLength(1);
    const kept = fs.readFileSync(path.join(dir, pendingFiles(s.id)[0]), "utf8");
    expect(await replayPendingUsage(env().dataDir, s.id, store)).toBe(1);
    expect(pendingFiles(s.id)).toHaveLength(0);
    // A crash after the commit but before the file was removed: the replay finds the key stored.
    fs.writeFileSync(path.join(dir, `000000000000001-${JSON.parse(kept).data.key}.json`), kept);
    expect(await replayPendingUsage(env().dataDir, s.id, store)).toBe(0);
    const rows = await usageRows(s.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].data).toMatchObject({ inputTokens: 7, outputTokens: 3 });
  });
});
