// Live events between instances through Redis (DOCKSIDE_REDIS_URL), on real parts: a redis-server
// started by the test, two server.ts processes on one database and data directory. Both start
// before Redis does (and say so); a client on B watches a session A runs and gets every event
// exactly once and in order; health names the adapter. Redis is killed: both servers keep answering, health says realtime is disconnected,
// and what A stores meanwhile still reaches B's client (B's catch-up sweep reads PostgreSQL); Redis
// comes back on the same port and the events flow again, still once each and in order.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { io as connect, type Socket } from "socket.io-client";
import { connectDb, db, disconnectDb } from "../../lib/db/client";
import type { SessionEvent } from "../../lib/events/schema";
import { startModelStub } from "../../lib/modelstub/server";
import type { ClientToServer, ServerToClient, SubscribeAck } from "../../lib/protocol/socket";
import type { RealtimeStatus } from "../../lib/realtime/status";
import { makeRepo, waitFor } from "../fixtures";
import { createDatabase, freePort, startServer, type TestServer } from "../http-harness";

type Client = Socket<ServerToClient, ClientToServer>;
const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  for (const fn of cleanup.splice(0).reverse()) await Promise.resolve(fn()).catch(() => undefined);
});

const MARKER = "TASK-redis-live";
const printLines = (phase: string) => ({
  blocks: [{ type: "tool_use" as const, name: "shell", input: { command: `for i in $(seq 1 20); do echo ${phase}-$i; sleep 0.05; done` } }],
});
const PHASES = ["before", "during", "after"] as const;

/** A redis-server of the test's own (no persistence: a restart comes back empty, as after a crash). */
function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("Ready to accept connections")) resolve(child);
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`redis-server exited (${code}):\n${out}`)));
  });
}

async function killRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGKILL");
  await exited;
}

it("carries live events from A to a client on B through Redis, and again after Redis was down", async () => {
  if (spawnSync("redis-server", ["--version"]).error) {
    throw new Error("redis-server is not installed: apt-get install redis-server (scripts/ensure-system.sh installs it for npm test)");
  }
  const redisPort = await freePort();
  const redisDir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-redis-"));
  cleanup.push(() => fs.rmSync(redisDir, { recursive: true, force: true }));

  const databaseUrl = await createDatabase("redis");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-redis-data-"));
  fs.chmodSync(dataDir, 0o755);
  const stub = await startModelStub();
  const env = { DOCKSIDE_SECRET: "redis-shared-secret-0123456789abcdef", DOCKSIDE_REDIS_URL: `redis://127.0.0.1:${redisPort}` };
  const a = await startServer({ databaseUrl, dataDir, stub, env: { ...env, DOCKSIDE_INSTANCE_ID: "redis-a" } });
  cleanup.push(() => a.crash());
  const b = await startServer({ databaseUrl, dataDir, stub, env: { ...env, DOCKSIDE_INSTANCE_ID: "redis-b" } });
  cleanup.push(() => b.stop());
  await disconnectDb();
  connectDb(databaseUrl);
  const logs = () => `\nA:\n${a.output().slice(-3000)}\nB:\n${b.output().slice(-3000)}`;

  stub.addScript({
    match: MARKER,
    steps: [
      { blocks: [{ type: "text", text: "ready when you are" }] },
      ...PHASES.flatMap((p) => [printLines(p), { blocks: [{ type: "text" as const, text: `phase ${p} done` }] }]),
    ],
  });
  const signUp = await fetch(`${a.url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: a.url },
    body: JSON.stringify({ name: "Ann Owner", email: "ann-redis@example.com", password: "redis-password-1" }),
  });
  expect(signUp.status).toBe(200);
  const cookie = signUp.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const post = (s: TestServer, p: string, body: unknown) =>
    fetch(`${s.url}${p}`, { method: "POST", headers: { "content-type": "application/json", cookie, origin: s.url }, body: JSON.stringify(body) });
  const realtime = async (s: TestServer) => {
    const r = await fetch(`${s.url}/api/health`, { headers: { cookie } });
    expect(r.status).toBe(200);
    return ((await r.json()) as { realtime?: RealtimeStatus }).realtime;
  };
  const bothRealtime = (connected: boolean) =>
    waitFor(async () => {
      const seen = await Promise.all([realtime(a), realtime(b)]);
      return seen.every((r) => r?.adapter === "redis" && r.connected === connected) ? seen : null;
    }, `health on A and B to say realtime (redis) ${connected ? "connected" : "disconnected"}`, 60_000);

  // Redis is not there yet: both started anyway, say so, and connect once it is up.
  await bothRealtime(false);
  expect(a.output()).toMatch(/\[realtime\] Redis at redis:\/\/127\.0\.0\.1:\d+\/? is unreachable/);
  let redis = await startRedis(redisPort, redisDir);
  cleanup.push(() => killRedis(redis));
  await bothRealtime(true);

  const created = await post(a, "/api/sessions", { repo: makeRepo(), prompt: MARKER });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const turnEnded = (text: string) =>
    waitFor(async () => {
      const s = await db().session.findUnique({ where: { id } });
      if (s?.status === "failed") throw new Error(`session failed: ${s.failureReason}${logs()}`);
      const said = await db().event.count({ where: { sessionId: id, type: "assistant.text", data: { path: ["text"], string_contains: text } } });
      return s?.status === "idle" && said > 0 ? s : null;
    }, `the turn ending "${text}"`, 180_000).catch((err: Error) => {
      throw new Error(`${err.message}${logs()}`);
    });
  await turnEnded("ready when you are");

  // Subscribed while the session is idle: the replay and the live events cannot overlap.
  const client: Client = connect(b.url, { transports: ["websocket"], extraHeaders: { cookie }, reconnection: false });
  cleanup.push(() => client.close());
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("connect_error", reject);
  });
  const received: SessionEvent[] = [];
  client.on("events", (m) => m.sessionId === id && received.push(...m.events));
  expect(((await client.emitWithAck("subscribe", { sessionId: id, after: 0 })) as SubscribeAck).ok).toBe(true);
  const printed = () => received.filter((e) => e.type === "tool.output").map((e) => (e.type === "tool.output" ? e.data.text : "")).join("");
  const lines = (phase: string) => Array.from({ length: 20 }, (_, i) => `${phase}-${i + 1}`);

  // Redis up: A's events reach B's client live.
  expect((await post(a, `/api/sessions/${id}/messages`, { text: "print the first lines" })).status).toBe(202);
  await waitFor(async () => printed().includes("before-20\n"), "the first lines on B's client", 120_000);
  const beforeOutage = (await turnEnded("phase before done")).lastSeq;
  await waitFor(async () => received.at(-1)!.seq >= beforeOutage, "the first turn's last event on B's client", 60_000);

  // Redis dies: HTTP still answers on both, health says so, A goes on storing events.
  await killRedis(redis);
  await bothRealtime(false);
  for (const s of [a, b]) expect((await fetch(`${s.url}/api/sessions`, { headers: { cookie } })).status).toBe(200);
  expect((await post(a, `/api/sessions/${id}/messages`, { text: "print more while Redis is away" })).status).toBe(202);
  const duringOutage = (await turnEnded("phase during done")).lastSeq;
  // No notice crosses while Redis is away, but B's catch-up sweep reads the log: its client is
  // not left behind for the outage.
  await waitFor(async () => received.at(-1)!.seq >= duringOutage, "the outage's events on B's client (the catch-up sweep)", 60_000);

  // Redis is back (empty) on the same port: the next events bring the missed ones along.
  redis = await startRedis(redisPort, redisDir);
  await bothRealtime(true);
  expect(b.output()).toMatch(/\[realtime\] Redis at redis:\/\/127\.0\.0\.1:\d+\/?: connected again/);
  expect((await post(b, `/api/sessions/${id}/messages`, { text: "and the last lines" })).status).toBe(202);
  const final = await turnEnded("phase after done");
  await waitFor(async () => received.at(-1)!.seq >= final.lastSeq, "every event on B's client after Redis came back", 120_000).catch((err: Error) => {
    throw new Error(`${err.message} (B's client has up to ${received.at(-1)?.seq}, stored ${final.lastSeq})${logs()}`);
  });
  expect(duringOutage).toBeGreaterThan(beforeOutage);

  // Every event exactly once, in order; every line of the three commands.
  expect(received.map((e) => e.seq)).toEqual(Array.from({ length: final.lastSeq }, (_, i) => i + 1));
  expect(printed().trim().split("\n")).toEqual(PHASES.flatMap(lines));
}, 600_000);
