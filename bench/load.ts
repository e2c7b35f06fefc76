// Load: N sessions (default 100) started through the API, each a scripted agent whose one shell
// command prints LINES lines over ~SECONDS s, with WATCHERS socket.io watchers each (default 5,
// so 500 sockets). Measured in one run:
//  - time until every session is idle, against the same command in N bare `docker run`
//    containers with the sandbox's limits (the raw operation; ratio = Dockside / raw);
//  - nothing lost: per watcher, the seqs received against the events stored (gapless seq), and
//    the tool output's bytes against what the command printed;
//  - the server's peak RSS (VmRSS sampled every 500 ms, and VmHWM), PostgreSQL's, the sandboxes';
//  - the page staying responsive: /api/health (anonymous: a database round trip) every 200 ms and
//    the session list (GET /api/sessions, signed in) every second, p50/p99/max.
// BENCH_LOAD_PROFILE_DIR=<dir> also writes the server's CPU and sampled heap profiles there.
import { execFile } from "node:child_process";
import os from "node:os";
import { promisify } from "node:util";
import { io, type Socket } from "socket.io-client";
import { makeRepo } from "../test/fixtures";
import { imageTag } from "../lib/sandbox/image";
import type { SessionEvent } from "../lib/events/schema";
import { createSession, peakRssMb, rssMb, startBenchServer, writeResult, type BenchServer } from "./harness";
import { cpuSeconds as serverCpuSeconds, latencySummary, percentile, probeLatency, round1, sampleMemory } from "./load-probes";

const N = Number(process.env.BENCH_LOAD_SESSIONS ?? 100);
const WATCHERS = Number(process.env.BENCH_LOAD_WATCHERS ?? 5);
const LINES = Number(process.env.BENCH_LOAD_LINES ?? 300);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 30);
/** Session creations (and raw `docker run`s) in flight at once. */
const PARALLEL = Number(process.env.BENCH_LOAD_PARALLEL ?? 8);
const PROFILE_DIR = process.env.BENCH_LOAD_PROFILE_DIR;
const TIMEOUT_MS = 20 * 60_000;
/** A session that received nothing for this long is reported as stuck instead of waited for. */
const STALL_MS = 3 * 60_000;
const PAD = "the quick brown fox jumps over the lazy dog";
// The pause is a read with a timeout on a pipe nobody writes (a bash builtin): 100 sandboxes
// forking `sleep` ten times a second would load the machine more than Dockside does.
const COMMAND = `exec 3<> <(:); for i in $(seq 1 ${LINES}); do echo "line $i of ${LINES}: ${PAD}"; read -t ${(SECONDS / LINES).toFixed(3)} -u 3; done`;
// What the command prints, byte for byte: every watcher must receive exactly this much tool output.
let expectedBytes = 0;
for (let i = 1; i <= LINES; i++) expectedBytes += Buffer.byteLength(`line ${i} of ${LINES}: ${PAD}\n`);

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `work` for 0..count-1 with at most `parallel` at once. */
async function pool(count: number, parallel: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, async () => {
    while (next < count) await work(next++);
  }));
}

/** The same command in `count` bare containers with the sandbox's limits: seconds until all exited, and whether each printed it all. */
async function rawDocker(count: number): Promise<{ seconds: number; complete: number }> {
  const names = Array.from({ length: count }, (_, i) => `bench-load-raw-${process.pid}-${i}`);
  const t = performance.now();
  await pool(count, PARALLEL, async (i) => {
    await exec("docker", ["run", "-d", "--name", names[i], "--network", "none", "--memory", "2g", "--cpus", "1", "--pids-limit", "512", imageTag(), "bash", "-c", COMMAND]);
  });
  await exec("docker", ["wait", ...names], { maxBuffer: 1 << 20 });
  const seconds = (performance.now() - t) / 1000;
  let complete = 0;
  for (const name of names) {
    const { stdout } = await exec("docker", ["logs", name], { maxBuffer: 16 << 20 });
    if (Buffer.byteLength(stdout) === expectedBytes) complete++;
  }
  await exec("docker", ["rm", "-f", ...names]);
  return { seconds: round1(seconds), complete };
}

interface Watcher {
  socket: Socket;
  seqs: Set<number>;
  max: number;
  outputBytes: number;
  duplicates: number;
  gaps: number;
  resubscribes: number;
  ackErrors: number;
}

interface Tracked {
  id: string;
  createdMs: number;
  idleMs?: number;
  failed?: string;
  status?: string;
  lastEventMs: number;
  watchers: Watcher[];
}

function watch(server: BenchServer, s: Tracked, first: boolean): Watcher {
  const socket = io(server.url, { transports: ["websocket"], extraHeaders: { cookie: server.cookie }, forceNew: true });
  const w: Watcher = { socket, seqs: new Set(), max: 0, outputBytes: 0, duplicates: 0, gaps: 0, resubscribes: 0, ackErrors: 0 };
  // As the browser does (components/lib/use-session-events.ts): subscribe with the last seq held,
  // again after a reconnect or a gap; while a subscribe is in flight a live event may run ahead of
  // its replay, and is dropped (the replay brings it) instead of starting a second replay; a busy
  // answer is retried shortly, still counting as subscribing.
  let subscribing = false;
  const subscribe = () => {
    subscribing = true;
    const after = w.max;
    socket.emit("subscribe", { sessionId: s.id, after }, (ack: { ok: boolean; busy?: boolean; lastSeq?: number }) => {
      if (!ack.ok && ack.busy) return void setTimeout(subscribe, 500);
      subscribing = false;
      if (!ack.ok) return void w.ackErrors++;
      if (ack.lastSeq !== undefined && w.max < ack.lastSeq && w.max > after) {
        w.resubscribes++;
        subscribe();
      }
    });
  };
  let connected = false;
  socket.on("connect", () => {
    if (connected) w.resubscribes++;
    connected = true;
    subscribe();
  });
  socket.on("disconnect", () => void (subscribing = false));
  socket.on("events", ({ sessionId, events }: { sessionId: string; events: SessionEvent[] }) => {
    if (sessionId !== s.id) return;
    for (const e of events) {
      if (w.seqs.has(e.seq)) {
        w.duplicates++;
        continue;
      }
      if (e.seq > w.max + 1) {
        w.gaps++;
        if (subscribing) return;
        w.resubscribes++;
        subscribe();
        return;
      }
      w.seqs.add(e.seq);
      s.lastEventMs = performance.now();
      w.max = e.seq;
      if (e.type === "tool.output") w.outputBytes += Buffer.byteLength(e.data.text);
      if (first && e.type === "status") {
        s.status = e.data.status;
        if (e.data.status === "idle") s.idleMs ??= performance.now();
        if (e.data.status === "failed") s.failed = JSON.stringify(e.data);
      }
    }
  });
  return w;
}

async function lastSeq(server: BenchServer, id: string): Promise<number> {
  const r = await fetch(`${server.url}/api/sessions/${id}`, { headers: { cookie: server.cookie } });
  return ((await r.json()) as { lastSeq: number }).lastSeq;
}

const loadBefore = os.loadavg();
console.log(`[load] raw: ${N} bare containers running the command`);
const raw = await rawDocker(N);
console.log(`[load] raw: ${raw.seconds} s; now ${N} sessions × ${WATCHERS} watchers`);

const nodeArgs = PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`, "--heap-prof", `--heap-prof-dir=${PROFILE_DIR}`] : [];
const server = await startBenchServer(3420, { nodeArgs });
const sessions: Tracked[] = [];
const containerNames = new Set<string>();
try {
  const rssBefore = rssMb(server.pid);
  const repo = makeRepo({ "README.md": "# load\n" });
  const marker = `BENCH-LOAD-${Date.now()}`;
  server.stub.addScript({ match: marker, steps: [{ blocks: [{ type: "tool_use", name: "shell", input: { command: COMMAND } }] }, { blocks: [{ type: "text", text: "done" }] }] });
  const memory = sampleMemory(server.pid, containerNames);
  const health = probeLatency(`${server.url}/api/health`, 200);
  const list = probeLatency(`${server.url}/api/sessions`, 1000, { cookie: server.cookie });
  const cpu0 = serverCpuSeconds(server.pid);
  const t0 = performance.now();
  const createErrors: string[] = [];
  const start = async (i: number) => {
    try {
      const { id } = await createSession(server, repo, `${marker} #${i}`);
      containerNames.add(`dockside-${id}`);
      const s: Tracked = { id, createdMs: performance.now(), lastEventMs: performance.now(), watchers: [] };
      for (let k = 0; k < WATCHERS; k++) s.watchers.push(watch(server, s, k === 0));
      sessions.push(s);
    } catch (err) {
      createErrors.push((err as Error).message);
    }
  };
  // The first session registers the repository (concurrent first uses would race to register it).
  await start(0);
  await pool(N - 1, PARALLEL, (i) => start(i + 1));
  const createdSeconds = (performance.now() - t0) / 1000;
  console.log(`[load] ${sessions.length} sessions created in ${round1(createdSeconds)} s`);
  const waiting = () => sessions.filter((s) => !s.idleMs && !s.failed && performance.now() - s.lastEventMs < STALL_MS);
  while (waiting().length && performance.now() - t0 < TIMEOUT_MS) await sleep(500);
  const stuck = sessions.filter((s) => !s.idleMs && !s.failed).map((s) => ({ id: s.id, status: s.status ?? "none" }));
  // Until the last session went idle (a stuck one is listed, not counted as time).
  const allIdleSeconds = (Math.max(t0, ...sessions.map((s) => s.idleMs ?? 0)) - t0) / 1000;
  console.log(`[load] all idle or failed after ${round1(allIdleSeconds)} s`);

  // Every watcher should now hold every stored seq; give the last batches a moment to arrive.
  const stored = new Map<string, number>();
  for (const s of sessions) stored.set(s.id, await lastSeq(server, s.id));
  for (let waited = 0; waited < 30_000 && sessions.some((s) => s.watchers.some((w) => w.max < stored.get(s.id)!)); waited += 250) await sleep(250);
  const cpuSeconds = serverCpuSeconds(server.pid) - cpu0;
  memory.stop();
  await Promise.all([health.stop(), list.stop()]);

  const watchers = sessions.flatMap((s) => s.watchers.map((w) => ({ w, stored: stored.get(s.id)! })));
  const complete = watchers.filter(({ w, stored }) => w.seqs.size === stored && w.max === stored).length;
  const allBytes = watchers.filter(({ w }) => w.outputBytes === expectedBytes).length;
  const storedEvents = [...stored.values()].reduce((a, b) => a + b, 0);
  const received = watchers.reduce((a, { w }) => a + w.seqs.size, 0);
  const idle = sessions.filter((s) => s.idleMs).map((s) => (s.idleMs! - s.createdMs) / 1000);
  const containers = memory.samples.containers;
  const peakContainers = containers.reduce((a, c) => (c.rssMb > a.rssMb ? c : a), { count: 0, usageMb: 0, rssMb: 0, maxRssMb: 0 });
  const peakRss = Math.max(peakRssMb(server.pid), ...memory.samples.serverRssMb);
  for (const { w } of watchers) w.socket.close();
  // What the server said about failed creations (500s name no cause to the client).
  if (createErrors.length) console.log(server.log().split("\n").filter((l) => /error|fail/i.test(l)).slice(0, 40).join("\n"));
  writeResult("load", {
    sessions: N,
    watchersPerSession: WATCHERS,
    sockets: sessions.reduce((a, s) => a + s.watchers.length, 0),
    command: COMMAND,
    created: sessions.length,
    createErrors: createErrors.slice(0, 5),
    failed: sessions.filter((s) => s.failed).map((s) => s.failed).slice(0, 5),
    idle: idle.length,
    stuck,
    createSeconds: round1(createdSeconds),
    allIdleSeconds: round1(allIdleSeconds),
    sessionToIdleSeconds: { p50: round1(percentile(idle, 50)), max: round1(Math.max(0, ...idle)) },
    rawDockerRun: raw,
    ratio: round1(allIdleSeconds / raw.seconds),
    nothingLost: {
      storedEvents,
      receivedEvents: received,
      expectedReceived: storedEvents * WATCHERS,
      watchersWithEverySeq: complete,
      watchersWithEveryByte: allBytes,
      watchers: watchers.length,
      expectedOutputBytesPerWatcher: expectedBytes,
      duplicates: watchers.reduce((a, { w }) => a + w.duplicates, 0),
      gapsSeen: watchers.reduce((a, { w }) => a + w.gaps, 0),
      resubscribes: watchers.reduce((a, { w }) => a + w.resubscribes, 0),
      subscribeErrors: watchers.reduce((a, { w }) => a + w.ackErrors, 0),
    },
    server: { rssBeforeMb: rssBefore, peakRssMb: peakRss, endRssMb: rssMb(server.pid), cpuSeconds: round1(cpuSeconds), cpuMsPerStoredEvent: round1((cpuSeconds * 1000) / Math.max(1, storedEvents)) },
    postgresPeakPssMb: Math.max(0, ...memory.samples.postgresPssMb),
    sandboxesAtPeak: peakContainers,
    responsive: { health: latencySummary(health.latencies), healthFailures: health.failures(), sessionList: latencySummary(list.latencies), sessionListFailures: list.failures() },
    target: "100 sessions × 5 watchers: nothing lost, server RSS < 1024 MB, page responsive",
    loadAverage: { before: loadBefore.map(round1), after: os.loadavg().map(round1) },
  });
} finally {
  await server.stop();
}

