// Replays on a real socket.io server and real PostgreSQL: a long log reaches a browser-like
// client in pages, every event exactly once; a flood of subscribes from one connection is served
// by a few replays, and past the queue refused with a message that says to retry.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { createApiToken } from "../auth/tokens";
import { ev, type NewEvent, type SessionEvent } from "../events/schema";
import { makeMember, makeSession, makeTeam } from "../history/test-fixtures";
import type { ClientToServer, ServerToClient, SubscribeAck } from "../protocol/socket";
import { IN_FLIGHT, QUEUED, ReplayBusy, SocketReplays } from "./replay";
import { attachSocket, type AttachedSocket } from "./socket";

type Client = Socket<ServerToClient, ClientToServer>;

const big = "x".repeat(200 * 1024);
// 1,500 small events and 20 of 200 KB (4 MB in all): several pages by count and by size.
const log: NewEvent[] = [
  ev("user.message", { text: "go", author: "Ada" }),
  ...Array.from({ length: 1500 }, (_, i) => ev("tool.output", { callId: "c1", stream: "stdout" as const, text: `line ${i}\n` })),
  ...Array.from({ length: 20 }, () => ev("tool.output", { callId: "c1", stream: "stdout" as const, text: big })),
];

let server: http.Server;
let attached: AttachedSocket;
let url: string;
let token: string;
let teamId: string;
let sessionId: string;
const clients: Client[] = [];

beforeAll(async () => {
  teamId = await makeTeam();
  const member = await makeMember(teamId);
  token = (await createApiToken(member.user.id, teamId, "replay test")).token;
  sessionId = await makeSession(teamId, { events: log });
  server = http.createServer();
  attached = await attachSocket(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await attached?.close();
  await new Promise((r) => server?.close(r));
});

function connect(): Promise<Client> {
  const c: Client = io(url, { transports: ["websocket"], reconnection: false, forceNew: true, auth: { token } });
  clients.push(c);
  return new Promise((resolve, reject) => {
    c.once("connect", () => resolve(c));
    c.once("connect_error", reject);
  });
}
const subscribe = (c: Client, id: string, after = 0) => new Promise<SubscribeAck>((resolve) => c.emit("subscribe", { sessionId: id, after }, resolve));

describe("replay", () => {
  it("sends a long log in pages of at most 500 events and about a megabyte, every event exactly once and in order", async () => {
    const c = await connect();
    const pages: SessionEvent[][] = [];
    c.on("events", (m) => m.sessionId === sessionId && pages.push(m.events));
    expect(await subscribe(c, sessionId)).toEqual({ ok: true, lastSeq: log.length });
    const seqs = pages.flat().map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: log.length }, (_, i) => i + 1));
    expect(pages.length).toBeGreaterThan(log.length / 500);
    for (const p of pages) {
      expect(p.length).toBeLessThanOrEqual(500);
      expect(JSON.stringify(p).length).toBeLessThan(1.5 * 1024 * 1024);
    }
    // From the middle: only what the browser lacks.
    const tail: number[] = [];
    c.on("events", (m) => m.sessionId === sessionId && tail.push(...m.events.map((e) => e.seq)));
    expect(await subscribe(c, sessionId, log.length - 5)).toEqual({ ok: true, lastSeq: log.length });
    expect(tail).toEqual([1517, 1518, 1519, 1520, 1521]);
  });

  it("serves 40 subscribes of one connection to one session with a few replays, each answered, every event arriving", async () => {
    const c = await connect();
    const received = new Map<number, number>();
    c.on("events", (m) => m.sessionId === sessionId && m.events.forEach((e) => received.set(e.seq, (received.get(e.seq) ?? 0) + 1)));
    const acks = await Promise.all(Array.from({ length: 40 }, () => subscribe(c, sessionId)));
    expect(acks.every((a) => a.ok && a.lastSeq === log.length)).toBe(true);
    expect([...received.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: log.length }, (_, i) => i + 1));
    // Far fewer copies than subscribes: waiting subscribes to one session share a replay.
    expect(Math.max(...received.values())).toBeLessThan(40);
  });

  it("queues a connection's replays past two at a time and refuses subscribes past the queue with a message to retry", async () => {
    const others: string[] = [];
    for (let i = 0; i < 40; i++) others.push(await makeSession(teamId, { events: log.slice(0, 3) }));
    // A browser that does not read: nothing it was sent leaves, so replays stay in flight.
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const copies = new Map<string, number>();
    const replays = new SocketReplays({
      emit: (id, events) => events[0].seq === 1 && copies.set(id, (copies.get(id) ?? 0) + 1),
      sent: () => stuck,
      closed: () => false,
    });
    const same = Array.from({ length: 40 }, () => replays.request(sessionId, 0));
    const distinct = others.map((id) => replays.request(id, 0).then((n) => n, (err: Error) => err));
    release();
    expect(await Promise.all(same)).toEqual(Array(40).fill(log.length));
    const results = await Promise.all(distinct);
    const refused = results.filter((r): r is Error => r instanceof Error);
    // Two replays of the session run at once (the first two subscribes), the other 38 share a third.
    expect(copies.get(sessionId)).toBe(3);
    expect(refused.length).toBe(40 - (QUEUED - 1));
    expect(refused[0]).toBeInstanceOf(ReplayBusy);
    expect(refused[0].message).toMatch(/too many subscribes at once on this connection .* retry/);
    expect(results.filter((r) => r === 3).length).toBe(QUEUED - 1);
    expect(IN_FLIGHT).toBe(2);
  });

  it("answers a refused subscribe over the socket with busy, so the page retries", async () => {
    const c = await connect();
    const many: string[] = [];
    for (let i = 0; i < IN_FLIGHT + QUEUED + 6; i++) many.push(await makeSession(teamId, { events: log.slice(0, 300) }));
    const acks = await Promise.all(many.map((id) => subscribe(c, id)));
    const busy = acks.filter((a) => !a.ok);
    // However fast the first replays end, every subscribe is either served in full or told to retry.
    for (const a of acks) if (a.ok) expect(a.lastSeq).toBe(300);
    for (const a of busy) expect(a).toMatchObject({ ok: false, busy: true, error: expect.stringMatching(/retry once one has finished/) });
  });
});
