// Session ownership across instances, on real parts: two server.ts processes on one database and
// one data directory (as instances behind a balancer share them) and a round-robin balancer in
// front. A runs the session; a follow-up sent through B is stored by B and delivered by A (B never
// starts a second sandbox); A is killed with SIGKILL in the middle of a command; B takes the
// session over (a higher lease epoch), the worker reconnects to B and resends what A never
// confirmed, and a client watching through the balancer (on B) gets every line of the command
// exactly once and in order. A frozen holder (SIGSTOP) that comes back finds the session taken:
// its writes are fenced off and its detach leaves B's channel working.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { io as connect, type Socket } from "socket.io-client";
import { connectDb, db, disconnectDb } from "../../lib/db/client";
import type { SessionEvent } from "../../lib/events/schema";
import { startModelStub } from "../../lib/modelstub/server";
import type { ClientToServer, ServerToClient, SubscribeAck } from "../../lib/protocol/socket";
import { listSandboxes } from "../../lib/sandbox/container";
import { makeRepo, waitFor } from "../fixtures";
import { createDatabase, startServer, type TestServer } from "../http-harness";
import { startRoundRobin } from "./round-robin";

type Client = Socket<ServerToClient, ClientToServer>;
const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await Promise.resolve(fn()).catch(() => undefined);
});

const LINES = 150;

interface World {
  a: TestServer;
  b: TestServer;
  id: string;
  post(base: string, p: string, body: unknown): Promise<Response>;
  holder(): Promise<{ instance_id: string; epoch: bigint }>;
  status(): Promise<Awaited<ReturnType<ReturnType<typeof db>["session"]["findUnique"]>>>;
  received: SessionEvent[];
  printed(): string;
}

/** A and B on one database and one data directory; A runs a session, a client on B watches it; the follow-up "go ahead" (sent through B) runs the long command. */
async function world(marker: string, extraSteps: { blocks: { type: "text"; text: string }[] }[]): Promise<World> {
  const databaseUrl = await createDatabase("takeover");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-takeover-"));
  fs.chmodSync(dataDir, 0o755);
  const stub = await startModelStub();
  const shared = { DOCKSIDE_SECRET: "takeover-shared-secret-0123456789abcdef" };
  const a = await startServer({ databaseUrl, dataDir, stub, env: { ...shared, DOCKSIDE_INSTANCE_ID: `${marker}-a` } });
  cleanup.push(() => a.crash());
  const b = await startServer({ databaseUrl, dataDir, stub, env: { ...shared, DOCKSIDE_INSTANCE_ID: `${marker}-b` } });
  cleanup.push(() => b.stop());
  // This test process reads the world's own database (connectDb keeps the first URL it was given).
  await disconnectDb();
  connectDb(databaseUrl);

  stub.addScript({
    match: marker,
    steps: [
      { blocks: [{ type: "text", text: "ready when you are" }] },
      { blocks: [{ type: "tool_use", name: "shell", input: { command: `for i in $(seq 1 ${LINES}); do echo line-$i; sleep 0.1; done` } }] },
      { blocks: [{ type: "text", text: "all lines printed" }] },
      ...extraSteps,
    ],
  });
  const signUp = await fetch(`${a.url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: a.url },
    body: JSON.stringify({ name: "Ann Owner", email: `ann-${marker}@example.com`, password: "takeover-password-1" }),
  });
  expect(signUp.status).toBe(200);
  const cookie = signUp.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const post = (base: string, p: string, body: unknown) =>
    fetch(`${base}${p}`, { method: "POST", headers: { "content-type": "application/json", cookie, origin: base }, body: JSON.stringify(body) });

  const created = await post(a.url, "/api/sessions", { repo: makeRepo(), prompt: marker });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const holder = async () => (await db().$queryRaw<{ instance_id: string; epoch: bigint }[]>`SELECT instance_id, epoch FROM session_leases WHERE session_id = ${id}`)[0];
  const status = async () => {
    const s = await db().session.findUnique({ where: { id } });
    if (s?.status === "failed") throw new Error(`session failed: ${s.failureReason}\nA:\n${a.output().slice(-2000)}\nB:\n${b.output().slice(-2000)}`);
    return s;
  };
  await waitFor(async () => (await status())?.status === "idle", "the first turn to end", 120_000).catch((err: Error) => {
    throw new Error(`${err.message}\nA:\n${a.output().slice(-3000)}\nB:\n${b.output().slice(-3000)}`);
  });
  expect((await holder()).instance_id).toBe(`${marker}-a`);

  // A client behind a round-robin balancer watches from the start; it lands on B (the balancer
  // sent the connection before it to A).
  const proxy = await startRoundRobin([a.port, b.port]);
  cleanup.push(() => proxy.close());
  const open = async () => {
    const c: Client = connect(`http://127.0.0.1:${proxy.port}`, { transports: ["websocket"], extraHeaders: { cookie }, reconnection: false });
    cleanup.push(() => c.close());
    await new Promise<void>((resolve, reject) => {
      c.once("connect", () => resolve());
      c.once("connect_error", reject);
    });
    return c;
  };
  await open();
  const client = await open();
  expect(proxy.routed).toEqual([0, 1]);
  const received: SessionEvent[] = [];
  client.on("events", (m) => m.sessionId === id && received.push(...m.events));
  expect(((await client.emitWithAck("subscribe", { sessionId: id, after: 0 })) as SubscribeAck).ok).toBe(true);
  const printed = () => received.filter((e) => e.type === "tool.output").map((e) => (e.type === "tool.output" ? e.data.text : "")).join("");

  // The follow-up goes through B, which does not run the session: A delivers it, in its one sandbox.
  expect((await post(b.url, `/api/sessions/${id}/messages`, { text: "go ahead" })).status).toBe(202);
  await waitFor(async () => printed().includes("line-30\n"), "A to run the follow-up's command (30 lines on B's client)", 120_000);
  expect((await holder()).instance_id).toBe(`${marker}-a`);
  expect((await listSandboxes()).filter((c) => c.sessionId === id)).toHaveLength(1);
  return { a, b, id, post, holder, status, received, printed };
}

const EXPECTED = Array.from({ length: LINES }, (_, i) => `line-${i + 1}`);

/** Every line stored once and in order; every seq seen once by the client on B; still one sandbox. */
async function expectEveryLineOnce(w: World, lastSeq: number): Promise<void> {
  const stored = await db().event.findMany({ where: { sessionId: w.id, type: "tool.output" }, orderBy: { seq: "asc" } });
  expect(stored.map((e) => (e.data as { text: string }).text).join("").trim().split("\n")).toEqual(EXPECTED);
  // The row says idle once the last event is stored; its emit may still be on the way to B's client.
  await waitFor(async () => w.received.some((e) => e.seq === lastSeq), `the client to receive seq ${lastSeq}`, 30_000);
  const seqs = w.received.map((e) => e.seq);
  expect(new Set(seqs).size).toBe(seqs.length);
  expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
  expect(w.printed().trim().split("\n")).toEqual(EXPECTED);
  expect((await listSandboxes()).filter((c) => c.sessionId === w.id)).toHaveLength(1);
}

const turnEnded = (w: World, text: string) =>
  waitFor(async () => {
    const s = await w.status();
    return s?.status === "idle" && w.received.some((e) => e.type === "assistant.text" && e.data.text.includes(text)) ? s : null;
  }, `the turn ending "${text}"`, 180_000);

it("another instance takes over a session whose instance was killed mid-command, losing and doubling no line", async () => {
  const w = await world("TASK-takeover-kill", []);
  const firstEpoch = Number((await w.holder()).epoch);
  const killedAt = Date.now();
  await w.a.crash();
  await waitFor(async () => (await w.holder()).instance_id === "TASK-takeover-kill-b", "B to take the session over", 60_000);
  const tookOverMs = Date.now() - killedAt;
  expect(Number((await w.holder()).epoch)).toBeGreaterThan(firstEpoch);
  const done = await turnEnded(w, "all lines printed");
  await expectEveryLineOnce(w, done.lastSeq);
  console.log(`[takeover] B held the session ${tookOverMs} ms after A was killed; ${done.lastSeq} events`);
}, 600_000);

it("a frozen instance that comes back finds its session taken: it writes nothing more and leaves the new holder's channel alone", async () => {
  const w = await world("TASK-takeover-freeze", [{ blocks: [{ type: "text", text: "heard you after the freeze" }] }]);
  const firstEpoch = Number((await w.holder()).epoch);
  w.a.pause();
  await waitFor(async () => (await w.holder()).instance_id === "TASK-takeover-freeze-b", "B to take the frozen A's session over", 60_000).catch(async (err: Error) => {
    const instances = await db().$queryRaw`SELECT id, heartbeat_at, timezone('UTC', now()) AS now FROM instances`;
    throw new Error(`${err.message}\nlease: ${JSON.stringify(await w.holder(), (_, v) => (typeof v === "bigint" ? Number(v) : v))}\ninstances: ${JSON.stringify(instances)}\nB:\n${w.b.output().slice(-4000)}`);
  });
  expect(Number((await w.holder()).epoch)).toBeGreaterThan(firstEpoch);
  await turnEnded(w, "all lines printed");
  // A wakes up still believing it runs the session: its next renewal says otherwise.
  w.a.resume();
  await waitFor(async () => w.a.output().includes("is now run by another instance"), "A to notice it lost the session", 60_000);
  // A follow-up through A (no longer the holder) reaches the agent through B's channel, which A's
  // detach did not remove.
  expect((await w.post(w.a.url, `/api/sessions/${w.id}/messages`, { text: "still there?" })).status).toBe(202);
  const done = await turnEnded(w, "heard you after the freeze");
  expect((await w.holder()).instance_id).toBe("TASK-takeover-freeze-b");
  await expectEveryLineOnce(w, done.lastSeq);
}, 600_000);
