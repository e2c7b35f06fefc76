// Stream throughput: a command printing ~50 MB inside a session, bytes per second reaching a
// socket.io client, against the same command through a raw `docker exec`; and the server's
// peak memory while it streams.
import { spawn } from "node:child_process";
import { io } from "socket.io-client";
import { makeRepo } from "../test/fixtures";
import type { SessionEvent } from "../lib/events/schema";
import { createSession, peakRssMb, startBenchServer, writeResult } from "./harness";

const MB = Number(process.env.BENCH_STREAM_MB ?? 50);
const COMMAND = `head -c ${MB * 1000 * 1000} /dev/zero | tr '\\0' 'a' | fold -w 99`;

const server = await startBenchServer(3412);
try {
  const rssBefore = peakRssMb(server.pid);
  const repo = makeRepo();
  const marker = `BENCH-STREAM-${Date.now()}`;
  server.stub.addScript({ match: marker, steps: [{ blocks: [{ type: "tool_use", name: "shell", input: { command: COMMAND } }] }, { blocks: [{ type: "text", text: "done" }] }] });
  const { id } = await createSession(server, repo, marker);

  const socket = io(server.url, { transports: ["websocket"], extraHeaders: { cookie: server.cookie } });
  let bytes = 0;
  let first = 0;
  let last = 0;
  let lastSeq = 0;
  const done = new Promise<void>((resolve) => {
    socket.on("events", ({ events }: { events: SessionEvent[] }) => {
      for (const e of events) {
        if (e.seq <= lastSeq) continue;
        lastSeq = e.seq;
        if (e.type === "tool.output") {
          if (!first) first = performance.now();
          bytes += Buffer.byteLength(e.data.text);
          last = performance.now();
        }
        if (e.type === "tool.result") resolve();
      }
    });
  });
  socket.emit("subscribe", { sessionId: id, after: 0 }, () => {});
  await done;
  socket.close();
  const sessionSeconds = (last - first) / 1000;
  const peak = peakRssMb(server.pid);

  // The same command through a raw docker exec into the same (now idle) sandbox.
  const info = (await (await fetch(`${server.url}/api/sessions/${id}`, { headers: { cookie: server.cookie } })).json()) as { branch: string };
  const container = `dockside-${id}`;
  const t = performance.now();
  const rawBytes = await new Promise<number>((resolve, reject) => {
    const child = spawn("docker", ["exec", container, "bash", "-c", COMMAND]);
    let n = 0;
    child.stdout.on("data", (b: Buffer) => (n += b.length));
    child.on("error", reject);
    child.on("close", () => resolve(n));
  });
  const rawSeconds = (performance.now() - t) / 1000;
  const sessionRate = bytes / sessionSeconds;
  const rawRate = rawBytes / rawSeconds;
  writeResult("stream", {
    command: COMMAND,
    branch: info.branch,
    session: { bytes, seconds: Number(sessionSeconds.toFixed(2)), mbPerSecond: Number((sessionRate / 1e6).toFixed(1)) },
    rawDockerExec: { bytes: rawBytes, seconds: Number(rawSeconds.toFixed(2)), mbPerSecond: Number((rawRate / 1e6).toFixed(1)) },
    ratio: Number((sessionRate / rawRate).toFixed(3)),
    serverPeakRssMb: peak,
    serverRssBeforeMb: rssBefore,
  });
} finally {
  await server.stop();
}
