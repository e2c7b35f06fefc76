// Session ownership across instances, on real parts: two server.ts processes on one database and
// one data directory (as instances behind a balancer share them). A runs the session; a follow-up
// sent through B is stored by B and delivered by A (B never starts a second sandbox); A is killed
// with SIGKILL in the middle of a command; B takes the session over (a higher lease epoch), the
// worker reconnects to B and resends what A never confirmed, and a client watching on B gets
// every line of the command exactly once and in order.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { io as connect, type Socket } from "socket.io-client";
import { connectDb, db } from "../../lib/db/client";
import type { SessionEvent } from "../../lib/events/schema";
import { startModelStub } from "../../lib/modelstub/server";
import type { ClientToServer, ServerToClient, SubscribeAck } from "../../lib/protocol/socket";
import { listSandboxes } from "../../lib/sandbox/container";
import { makeRepo, waitFor } from "../fixtures";
import { createDatabase, startServer } from "../http-harness";

type Client = Socket<ServerToClient, ClientToServer>;
const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await Promise.resolve(fn()).catch(() => undefined);
});

const LINES = 150;

it("another instance takes over a session whose instance was killed mid-command, losing and doubling no line", async () => {
  const databaseUrl = await createDatabase("takeover");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-takeover-"));
  fs.chmodSync(dataDir, 0o755);
  const stub = await startModelStub();
  const shared = { DOCKSIDE_SECRET: "takeover-shared-secret-0123456789abcdef" };
  const a = await startServer({ databaseUrl, dataDir, stub, env: { ...shared, DOCKSIDE_INSTANCE_ID: "instance-a" } });
  let aAlive = true;
  cleanup.push(() => aAlive && a.crash());
  const b = await startServer({ databaseUrl, dataDir, stub, env: { ...shared, DOCKSIDE_INSTANCE_ID: "instance-b" } });
  cleanup.push(() => b.stop());
  connectDb(databaseUrl);

  stub.addScript({
    match: "TASK-takeover",
    steps: [
      { blocks: [{ type: "text", text: "ready when you are" }] },
      { blocks: [{ type: "tool_use", name: "shell", input: { command: `for i in $(seq 1 ${LINES}); do echo line-$i; sleep 0.1; done` } }] },
      { blocks: [{ type: "text", text: "all lines printed" }] },
    ],
  });
  const signUp = await fetch(`${a.url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: a.url },
    body: JSON.stringify({ name: "Ann Owner", email: "ann@example.com", password: "takeover-password-1" }),
  });
  expect(signUp.status).toBe(200);
  const cookie = signUp.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const post = (base: string, p: string, body: unknown) =>
    fetch(`${base}${p}`, { method: "POST", headers: { "content-type": "application/json", cookie, origin: base }, body: JSON.stringify(body) });

  const created = await post(a.url, "/api/sessions", { repo: makeRepo(), prompt: "TASK-takeover" });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const holder = async () => (await db().$queryRaw<{ instance_id: string; epoch: bigint }[]>`SELECT instance_id, epoch FROM session_leases WHERE session_id = ${id}`)[0];
  const status = async () => {
    const s = await db().session.findUnique({ where: { id } });
    if (s?.status === "failed") throw new Error(`session failed: ${s.failureReason}\nA:\n${a.output().slice(-2000)}\nB:\n${b.output().slice(-2000)}`);
    return s;
  };
  await waitFor(async () => (await status())?.status === "idle", "the first turn to end", 120_000);
  expect((await holder()).instance_id).toBe("instance-a");
  const firstEpoch = Number((await holder()).epoch);

  // A client on B watches from the start.
  const client: Client = connect(b.url, { transports: ["websocket"], extraHeaders: { cookie }, reconnection: false });
  cleanup.push(() => client.close());
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("connect_error", reject);
  });
  const received: SessionEvent[] = [];
  client.on("events", (m) => m.sessionId === id && received.push(...m.events));
  expect(((await client.emitWithAck("subscribe", { sessionId: id, after: 0 })) as SubscribeAck).ok).toBe(true);

  // The follow-up goes through B, which does not run the session: A delivers it, in its one sandbox.
  expect((await post(b.url, `/api/sessions/${id}/messages`, { text: "go ahead" })).status).toBe(202);
  const printedNow = () => received.filter((e) => e.type === "tool.output").map((e) => (e.type === "tool.output" ? e.data.text : "")).join("");
  await waitFor(async () => printedNow().includes("line-30\n"), "A to run the follow-up's command (30 lines on B's client)", 120_000);
  expect((await holder()).instance_id).toBe("instance-a");
  expect((await listSandboxes()).filter((c) => c.sessionId === id)).toHaveLength(1);

  // A dies mid-command.
  const killedAt = Date.now();
  await a.crash();
  aAlive = false;
  await waitFor(async () => (await holder()).instance_id === "instance-b", "B to take the session over", 60_000);
  const tookOverMs = Date.now() - killedAt;
  expect(Number((await holder()).epoch)).toBeGreaterThan(firstEpoch);

  const done = await waitFor(async () => {
    const s = await status();
    return s?.status === "idle" && received.some((e) => e.type === "assistant.text" && e.data.text.includes("all lines printed")) ? s : null;
  }, "the turn to finish under B", 180_000);

  // Stored: every line once, in order.
  const stored = await db().event.findMany({ where: { sessionId: id, type: "tool.output" }, orderBy: { seq: "asc" } });
  const storedLines = stored.map((e) => (e.data as { text: string }).text).join("").trim().split("\n");
  const expected = Array.from({ length: LINES }, (_, i) => `line-${i + 1}`);
  expect(storedLines).toEqual(expected);
  // Seen by the client on B: every seq once (nothing doubled across the takeover), the same lines.
  const seqs = received.map((e) => e.seq);
  expect(new Set(seqs).size).toBe(seqs.length);
  expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: done.lastSeq }, (_, i) => i + 1));
  expect(printedNow().trim().split("\n")).toEqual(expected);
  // Still one sandbox: B reattached to it rather than starting another.
  expect((await listSandboxes()).filter((c) => c.sessionId === id)).toHaveLength(1);
  console.log(`[takeover] B held the session ${tookOverMs} ms after A was killed; ${done.lastSeq} events`);
}, 600_000);
