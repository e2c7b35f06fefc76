// Host commands from a server holding a lot of memory: how long the event loop stalls while COUNT
// `git --version` run (PARALLEL at once), spawned directly by this process (fork copies its page
// tables) side by side with the same commands through the spawner helper (lib/runtime/spawner.ts).
// The process first fills MEM_MB of memory, like a loaded server (the load benchmark's reached
// ~750 MB). ROUNDS rounds alternate the two ways; figures are the median with the spread.
import { spawn } from "node:child_process";
import os from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { spawnHost } from "../lib/runtime/spawner";
import { writeResult } from "./harness";

const MEM_MB = Number(process.env.BENCH_SPAWNER_MEM_MB ?? 700);
const COUNT = Number(process.env.BENCH_SPAWNER_COUNT ?? 60);
const PARALLEL = Number(process.env.BENCH_SPAWNER_PARALLEL ?? 4);
const ROUNDS = Number(process.env.BENCH_SPAWNER_ROUNDS ?? 3);

function direct(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["--version"], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.resume();
    child.stderr.resume();
    child.on("error", reject);
    child.on("close", () => resolve());
  });
}

const viaSpawner = async () => {
  const r = await spawnHost({ cmd: "git", args: ["--version"], timeoutMs: 30_000, maxBytes: 1 << 20 });
  if (r.code !== 0) throw new Error(`git --version: ${r.error?.message ?? r.code}`);
};

async function measure(run: () => Promise<void>) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const t = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    while (next++ < COUNT) await run();
  }));
  const seconds = (performance.now() - t) / 1000;
  h.disable();
  const ms = (ns: number) => Number((ns / 1e6).toFixed(1));
  return { seconds: Number(seconds.toFixed(2)), loopDelayP50Ms: ms(h.percentile(50)), loopDelayP99Ms: ms(h.percentile(99)), loopDelayMaxMs: ms(h.max) };
}

const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[]) => ({ median: med(xs), min: Math.min(...xs), max: Math.max(...xs) });

// Touched memory (every page written), as a server's heap and buffers are.
const ballast: Buffer[] = [];
for (let i = 0; i < MEM_MB / 50; i++) ballast.push(Buffer.alloc(50 * 1024 * 1024, i + 1));
await viaSpawner(); // the helper is started once, as in a running server
const rounds: { direct: Awaited<ReturnType<typeof measure>>; spawner: Awaited<ReturnType<typeof measure>> }[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const d = await measure(direct);
  const s = await measure(viaSpawner);
  console.log(`[bench] round ${r + 1}: direct ${d.seconds} s, loop delay p99 ${d.loopDelayP99Ms} ms (max ${d.loopDelayMaxMs}); spawner ${s.seconds} s, p99 ${s.loopDelayP99Ms} ms (max ${s.loopDelayMaxMs})`);
  rounds.push({ direct: d, spawner: s });
}
const pick = (k: "direct" | "spawner", f: "seconds" | "loopDelayP99Ms" | "loopDelayMaxMs") => spread(rounds.map((r) => r[k][f]));
writeResult("spawner", {
  memMb: MEM_MB,
  rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
  commands: COUNT,
  parallel: PARALLEL,
  rounds: ROUNDS,
  loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
  direct: { seconds: pick("direct", "seconds"), loopDelayP99Ms: pick("direct", "loopDelayP99Ms"), loopDelayMaxMs: pick("direct", "loopDelayMaxMs") },
  spawner: { seconds: pick("spawner", "seconds"), loopDelayP99Ms: pick("spawner", "loopDelayP99Ms"), loopDelayMaxMs: pick("spawner", "loopDelayMaxMs") },
  // The raw operation is the direct spawn: below 1, the helper is faster.
  ratioSeconds: Number((med(rounds.map((r) => r.spawner.seconds / r.direct.seconds))).toFixed(2)),
  rawRounds: rounds,
});
ballast.length = 0;
