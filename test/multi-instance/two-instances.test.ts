// Two real Dockside servers (server.ts) on one database behind a round-robin TCP proxy. A
// browser-like socket.io client on instance B watches a session that instance A runs: it gets
// every event exactly once past its replay and in seq order, and sees in its presence list a
// watcher connected to A; when A is killed, B drops A's watcher within a few heartbeats.
import { afterAll, expect, it } from "vitest";
import { io as connect, type Socket } from "socket.io-client";
import { connectDb, db } from "../../lib/db/client";
import type { SessionEvent } from "../../lib/events/schema";
import type { ClientToServer, ServerToClient, SubscribeAck, Watcher } from "../../lib/protocol/socket";
import { addMember } from "../../lib/teams/members";
import { makeRepo, waitFor } from "../fixtures";
import { createDatabase, startServer, type TestServer } from "../http-harness";
import { startRoundRobin, type RoundRobin } from "./round-robin";

type Client = Socket<ServerToClient, ClientToServer>;
const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await Promise.resolve(fn()).catch(() => undefined);
});

async function signUp(s: TestServer, name: string, email: string): Promise<{ cookie: string; id: string }> {
  const r = await fetch(`${s.url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: s.url },
    body: JSON.stringify({ name, email, password: "two-instances-password-1" }),
  });
  expect(r.status).toBe(200);
  const body = (await r.json()) as { user: { id: string } };
  return { cookie: r.headers.getSetCookie().map((c) => c.split(";")[0]).join("; "), id: body.user.id };
}

async function socketVia(proxy: RoundRobin, cookie: string): Promise<{ client: Client; upstream: number }> {
  const before = proxy.routed.length;
  const client: Client = connect(`http://127.0.0.1:${proxy.port}`, { transports: ["websocket"], extraHeaders: { cookie }, reconnection: false });
  cleanup.push(() => client.close());
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("connect_error", (err) => reject(new Error(`${err.message} (cookie ${cookie.slice(0, 40)}…, routed ${proxy.routed.join(",")})`)));
  });
  expect(proxy.routed.length).toBe(before + 1);
  return { client, upstream: proxy.routed[before] };
}

it("streams a session run by instance A to a client on instance B, with presence across both", async () => {
  const databaseUrl = await createDatabase("multi");
  // Instances behind one balancer share the server secret (cookies, sealed credentials): without
  // it each data directory generates its own and a cookie from A is refused by B.
  const env = { DOCKSIDE_SECRET: "two-instances-shared-secret-0123456789abcdef" };
  // One after the other, each registered for cleanup at once: a failed start never leaves the other running.
  const a = await startServer({ databaseUrl, env });
  cleanup.push(() => a.stop());
  const b = await startServer({ databaseUrl, env });
  cleanup.push(() => b.stop());
  connectDb(databaseUrl);
  const proxy = await startRoundRobin([a.port, b.port]);
  cleanup.push(() => proxy.close());

  const ann = await signUp(a, "Ann Owner", "ann@example.com");
  const bob = await signUp(b, "Bob Watcher", "bob@example.com");
  a.stub.addScript({
    match: "TASK-multi",
    steps: [
      { blocks: [{ type: "tool_use", name: "shell", input: { command: "for i in $(seq 1 60); do echo line-$i; sleep 0.05; done" } }] },
      { blocks: [{ type: "text", text: "sixty lines printed" }] },
    ],
  });
  const created = await fetch(`${a.url}/api/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: ann.cookie, origin: a.url },
    body: JSON.stringify({ repo: makeRepo(), prompt: "TASK-multi" }),
  });
  expect(created.status).toBe(201);
  const session = (await created.json()) as { id: string; teamId: string };
  await addMember(session.teamId, bob.id, "member", null);

  // A cookie signed by one instance is good on the other.
  for (const [s, who] of [[a, bob], [b, ann]] as const) expect((await fetch(`${s.url}/api/sessions`, { headers: { cookie: who.cookie } })).status).toBe(200);
  // The proxy alternates: Bob's socket lands on A, Ann's on B.
  const onA = await socketVia(proxy, bob.cookie);
  const onB = await socketVia(proxy, ann.cookie);
  expect([onA.upstream, onB.upstream]).toEqual([0, 1]);

  const received: SessionEvent[] = [];
  const presence: Watcher[][] = [];
  onB.client.on("events", (m) => m.sessionId === session.id && received.push(...m.events));
  onB.client.on("presence", (m) => m.sessionId === session.id && presence.push(m.watchers));
  const ack = (await onB.client.emitWithAck("subscribe", { sessionId: session.id, after: 0 })) as SubscribeAck;
  expect(ack.ok).toBe(true);
  const replayedUpTo = ack.ok ? ack.lastSeq : 0;
  const replayCount = received.length;

  // Bob subscribes on A: Ann, on B, hears of it through the database.
  expect(((await onA.client.emitWithAck("subscribe", { sessionId: session.id, after: 0 })) as SubscribeAck).ok).toBe(true);
  await waitFor(async () => presence.some((w) => w.some((x) => x.id === bob.id) && w.some((x) => x.id === ann.id)), "B's client to see Bob (on A) watching", 30_000);
  const rows = await db().presence.findMany({ where: { sessionId: session.id } });
  expect(new Set(rows.map((r) => r.instanceId)).size).toBe(2);

  const stored = await waitFor(async () => {
    const s = await db().session.findUnique({ where: { id: session.id } });
    if (s?.status === "failed") throw new Error(`session failed: ${s.failureReason}\n${a.output().slice(-2000)}`);
    return s?.status === "idle" && received.some((e) => e.type === "status" && e.data.status === "idle") ? s : null;
  }, "the turn to finish and reach B's client", 120_000);

  // Every stored event reached B's client; past the replay, each exactly once and in order.
  const seqs = [...new Set(received.map((e) => e.seq))].sort((x, y) => x - y);
  expect(seqs).toEqual(Array.from({ length: stored.lastSeq }, (_, i) => i + 1));
  const live = received.slice(replayCount).map((e) => e.seq).filter((s) => s > replayedUpTo);
  expect(live.length).toBeGreaterThan(10);
  expect(live).toEqual([...live].sort((x, y) => x - y));
  expect(new Set(live).size).toBe(live.length);
  const printed = received.filter((e) => e.type === "tool.output").map((e) => (e.type === "tool.output" ? e.data.text : "")).join("");
  expect(printed.trim().split("\n")).toEqual(Array.from({ length: 60 }, (_, i) => `line-${i + 1}`));
  console.log(`[multi] ${stored.lastSeq} events, ${replayCount} replayed, ${live.length} live via instance A -> B`);

  // A dies without a word: B sweeps A's presence rows once A's heartbeat is stale.
  const killedAt = Date.now();
  await a.crash();
  await waitFor(async () => {
    const w = presence.at(-1);
    return w && w.length === 1 && w[0].id === ann.id;
  }, "B to drop the watcher of the dead instance A", 45_000);
  console.log(`[multi] presence of dead instance swept after ${Date.now() - killedAt} ms`);
  expect(await db().presence.count({ where: { sessionId: session.id } })).toBe(1);
});
