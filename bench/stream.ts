// Stream throughput: a command printing ~50 MB inside a session, bytes per second reaching a
// socket.io client, against the same command through a raw `docker exec`; and the server's
// peak memory while it streams.
import { execFile, spawn } from "node:child_process";
import os from "node:os";
import { promisify } from "node:util";
import { io } from "socket.io-client";
import { makeRepo } from "../test/fixtures";
import type { SessionEvent } from "../lib/events/schema";
import { cpuByProcess } from "./cpu-by-process";
import { createSession, peakRssMb, startBenchServer, writeResult } from "./harness";

const run = async (file: string, args: string[]) => (await promisify(execFile)(file, args)).stdout;
const MB = Number(process.env.BENCH_STREAM_MB ?? 50);
const COMMAND = `head -c ${MB * 1000 * 1000} /dev/zero | tr '\\0' 'a' | fold -w 99`;

// BENCH_PORT keeps runs beside each other apart; BENCH_PROFILE_DIR profiles the server (--cpu-prof).
const profileDir = process.env.BENCH_PROFILE_DIR;
const server = await startBenchServer(Number(process.env.BENCH_PORT ?? 3412), profileDir ? { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] } : {});
try {
  const rssBefore = peakRssMb(server.pid);
  const repo = makeRepo();
  const marker = `BENCH-STREAM-${Date.now()}`;
  server.stub.addScript({ match: marker, steps: [{ blocks: [{ type: "tool_use", name: "shell", input: { command: COMMAND } }] }, { blocks: [{ type: "text", text: "done" }] }] });
  const { id } = await createSession(server, repo, marker);

  // Who is busy while it streams: the server, PostgreSQL, the worker, the command, this client.
  const containerId = (await run("docker", ["inspect", "-f", "{{.Id}}", `dockside-${id}`])).trim();
  const cpu = cpuByProcess((p) => {
    if (p.pid === server.pid) return "server";
    if (p.pid === process.pid) return "client";
    if (p.cgroup.includes(containerId)) return /worker\.mjs/.test(p.cmd) ? "worker" : /^(head|tr|fold) /.test(p.cmd) ? "command" : "sandboxOther";
    if (p.ancestors.includes(server.pid)) return /postgres/.test(p.cmd) ? "postgres" : "serverChildren";
    return null;
  });
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
  const cpuSeconds = cpu.stop();
  socket.close();
  const sessionSeconds = (last - first) / 1000;
  const peak = peakRssMb(server.pid);

  // The same command through a raw docker exec into the same (now idle) sandbox.
  const info = (await (await fetch(`${server.url}/api/sessions/${id}`, { headers: { cookie: server.cookie } })).json()) as { branch: string };
  const container = `dockside-${id}`;
  // The raw side's CPU as well: the command, the docker CLI (a child of this process), the daemons.
  const rawCpu = cpuByProcess((p) => {
    if (p.pid === process.pid) return "client";
    if (p.cgroup.includes(containerId)) return /^(head|tr|fold) /.test(p.cmd) ? "command" : "sandboxOther";
    if (p.ancestors.includes(process.pid)) return "dockerCli";
    if (/^(\/\S+\/)?(dockerd|containerd|containerd-shim\S*) /.test(p.cmd)) return "dockerDaemons";
    return null;
  });
  const t = performance.now();
  const rawBytes = await new Promise<number>((resolve, reject) => {
    const child = spawn("docker", ["exec", container, "bash", "-c", COMMAND]);
    let n = 0;
    child.stdout.on("data", (b: Buffer) => (n += b.length));
    child.on("error", reject);
    child.on("close", () => resolve(n));
  });
  const rawSeconds = (performance.now() - t) / 1000;
  const rawCpuSeconds = rawCpu.stop();
  const sessionRate = bytes / sessionSeconds;
  const rawRate = rawBytes / rawSeconds;
  writeResult("stream", {
    command: COMMAND,
    branch: info.branch,
    session: { bytes, seconds: Number(sessionSeconds.toFixed(2)), mbPerSecond: Number((sessionRate / 1e6).toFixed(1)) },
    rawDockerExec: { bytes: rawBytes, seconds: Number(rawSeconds.toFixed(2)), mbPerSecond: Number((rawRate / 1e6).toFixed(1)), cpuSeconds: rawCpuSeconds },
    ratio: Number((sessionRate / rawRate).toFixed(3)),
    cpuSecondsWhileStreaming: cpuSeconds,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    serverPeakRssMb: peak,
    serverRssBeforeMb: rssBefore,
  });
} finally {
  await server.stop();
}
