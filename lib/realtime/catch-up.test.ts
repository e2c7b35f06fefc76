// Several instances meet through an adapter, and events of a session another instance runs reach
// this one's watchers as notices. A notice can be lost (the adapter's connection dropped, Redis
// restarted empty): the catch-up sweep still brings the watcher every stored event, once each
// and in order, within a few seconds. Here the events are stored with no notice at all.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { io, type Socket } from "socket.io-client";
import { createApiToken } from "../auth/tokens";
import { ev, type SessionEvent } from "../events/schema";
import { appendEvents } from "../events/store";
import { makeMember, makeSession, makeTeam } from "../history/test-fixtures";
import type { ClientToServer, ServerToClient, SubscribeAck } from "../protocol/socket";
import { attachSocket, type AttachedSocket } from "./socket";

type Client = Socket<ServerToClient, ClientToServer>;

let server: http.Server;
let attached: AttachedSocket;
let client: Client;
let token: string;
let sessionId: string;

beforeAll(async () => {
  const teamId = await makeTeam();
  const member = await makeMember(teamId);
  token = (await createApiToken(member.user.id, teamId, "catch-up test")).token;
  sessionId = await makeSession(teamId, { events: [ev("user.message", { text: "go", author: "Ada" })] });
  server = http.createServer();
  // With an adapter, as when several instances share the database.
  attached = await attachSocket(server, { databaseUrl: process.env.DATABASE_URL });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = io(url, { transports: ["websocket"], reconnection: false, forceNew: true, auth: { token } });
  await new Promise<void>((resolve, reject) => {
    client.once("connect", () => resolve());
    client.once("connect_error", reject);
  });
});

afterAll(async () => {
  client?.close();
  await attached?.close();
  await new Promise((r) => server?.close(r));
});

it("brings a watcher events whose notice never came, once each and in order", async () => {
  const got: SessionEvent[] = [];
  client.on("events", (m) => m.sessionId === sessionId && got.push(...m.events));
  const ack = await new Promise<SubscribeAck>((resolve) => client.emit("subscribe", { sessionId, after: 0 }, resolve));
  expect(ack).toEqual({ ok: true, lastSeq: 1 });
  // Stored as another instance would, whose notice is lost: nothing is published here.
  await appendEvents(sessionId, Array.from({ length: 30 }, (_, i) => ev("tool.output", { callId: "c1", stream: "stdout" as const, text: `line ${i}\n` })));
  const deadline = Date.now() + 20_000;
  while (got.length < 31 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(got.map((e) => e.seq)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
});
