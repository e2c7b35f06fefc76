// Replay amplification: 5 sockets each subscribe 40 times at once to one finished session of
// ~2.4 MB of events (a page gone wrong, or a hostile one). Bytes the server sent, its peak memory
// while it replays, the time until every subscribe was answered; and that each socket still got
// every event. Side by side: one socket subscribing once (the raw cost of one replay).
import fs from "node:fs";
import { io, type Socket } from "socket.io-client";
import { makeRepo } from "../test/fixtures";
import type { SessionEvent } from "../lib/events/schema";
import type { SubscribeAck } from "../lib/protocol/socket";
import { createSession, peakRssMb, startBenchServer, writeResult } from "./harness";

const mb = (n: number) => Number((n / 1e6).toFixed(1));
const SOCKETS = 5;
const SUBSCRIBES = 40;
// 200 bursts of 12 kB a little apart: ~2.4 MB in ~200 separate events, like a chatty build.
const COMMAND = `for i in $(seq 200); do head -c 12000 /dev/zero | tr '\\0' 'a' | fold -w 99; sleep 0.06; done`;

const server = await startBenchServer(3414);
try {
  const repo = makeRepo();
  const marker = `BENCH-REPLAY-${Date.now()}`;
  server.stub.addScript({ match: marker, steps: [{ blocks: [{ type: "tool_use", name: "shell", input: { command: COMMAND } }] }, { blocks: [{ type: "text", text: "done" }] }] });
  const { id } = await createSession(server, repo, marker);
  const lastSeq = await untilIdle(id);

  const one = await replayRound(id, 1, 1);
  const flood = await replayRound(id, SOCKETS, SUBSCRIBES);
  const logBytes = one.bytes;
  writeResult("replay", {
    session: { events: lastSeq, mb: mb(logBytes) },
    oneSubscribe: one.figures,
    flood: { sockets: SOCKETS, subscribesPerSocket: SUBSCRIBES, ...flood.figures, copiesOfTheLog: Number((flood.bytes / logBytes).toFixed(1)) },
    everySocketGotEveryEvent: flood.complete,
  });
} finally {
  await server.stop();
}

/** Waits (on a socket, like a browser) until the session's turn is over; its last seq. */
async function untilIdle(id: string): Promise<number> {
  const socket = connect();
  let last = 0;
  await new Promise<void>((resolve) => {
    socket.on("events", ({ events }: { events: SessionEvent[] }) => {
      for (const e of events) {
        last = Math.max(last, e.seq);
        if (e.type === "status" && e.data.status === "idle") resolve();
      }
    });
    socket.emit("subscribe", { sessionId: id, after: 0 }, () => {});
  });
  socket.close();
  await new Promise((r) => setTimeout(r, 1000)); // the last events of the turn (usage, commit)
  return last;
}

async function replayRound(id: string, sockets: number, subscribes: number) {
  const clients = await Promise.all(Array.from({ length: sockets }, () => ready(connect())));
  const bytes = { n: 0 };
  const seen = clients.map(() => new Set<number>());
  clients.forEach((c, i) => {
    c.io.engine.on("packet", (p: { data?: unknown }) => void (typeof p.data === "string" && (bytes.n += Buffer.byteLength(p.data))));
    c.on("events", ({ events }: { events: SessionEvent[] }) => events.forEach((e) => seen[i].add(e.seq)));
  });
  resetPeak(server.pid);
  const rssBefore = rssMb(server.pid);
  const t = performance.now();
  const acks = await Promise.all(clients.flatMap((c) => Array.from({ length: subscribes }, () => new Promise<SubscribeAck>((r) => c.emit("subscribe", { sessionId: id, after: 0 }, r)))));
  const seconds = (performance.now() - t) / 1000;
  const peak = peakRssMb(server.pid);
  const last = Math.max(...acks.map((a) => (a.ok ? a.lastSeq : 0)));
  const complete = seen.every((s) => s.size === last);
  for (const c of clients) c.close();
  return {
    bytes: bytes.n,
    complete,
    figures: {
      mbSent: mb(bytes.n),
      seconds: Number(seconds.toFixed(2)),
      answered: acks.filter((a) => a.ok).length,
      refusedBusy: acks.filter((a) => !a.ok && a.busy).length,
      serverRssBeforeMb: rssBefore,
      serverPeakRssMb: peak,
    },
  };
}

function connect(): Socket {
  return io(server.url, { transports: ["websocket"], forceNew: true, extraHeaders: { cookie: server.cookie } });
}

function ready(s: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => (s.once("connect", () => resolve(s)), s.once("connect_error", reject)));
}

/** Resets the process's peak resident memory (VmHWM), so the next reading covers what follows. */
function resetPeak(pid: number): void {
  fs.writeFileSync(`/proc/${pid}/clear_refs`, "5");
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  return Math.round(kb / 1024);
}
