// What the load benchmark samples while it runs: the server's resident memory, the embedded
// PostgreSQL's (its processes' proportional share, so shared buffers count once), the sandboxes'
// memory (their cgroups), and how long a request takes to answer (the page staying responsive).
import { execFile } from "node:child_process";
import fs from "node:fs";
import { promisify } from "node:util";
import { rssMb } from "./harness";

const run = promisify(execFile);

export const percentile = (xs: number[], p: number): number => {
  if (!xs.length) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

export const round1 = (x: number) => Math.round(x * 10) / 10;

/** User + system CPU time of a process so far, in seconds (clock ticks of 1/100 s, as on Linux). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Processes under `root` (children, their children...) whose command name is `comm`. */
function descendants(root: number, comm: string): number[] {
  const parent = new Map<number, number>();
  const name = new Map<number, string>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ppid ...": comm may hold spaces, so split after the last ")".
      const close = stat.lastIndexOf(")");
      name.set(Number(entry), stat.slice(stat.indexOf("(") + 1, close));
      parent.set(Number(entry), Number(stat.slice(close + 2).split(" ")[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const under = (pid: number): boolean => {
    for (let p = parent.get(pid), hops = 0; p && hops < 20; p = parent.get(p), hops++) if (p === root) return true;
    return false;
  };
  return [...name.entries()].filter(([pid, n]) => n === comm && under(pid)).map(([pid]) => pid);
}

function pssMb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(/^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0);
    } catch {
      // Ended meanwhile.
    }
  }
  return Math.round(kb / 1024);
}

/** Memory of the named containers from their cgroups (v1, cgroupfs driver): usage with page cache, and rss. */
async function containersMb(names: Set<string>): Promise<{ count: number; usageMb: number; rssMb: number; maxRssMb: number }> {
  const { stdout } = await run("docker", ["ps", "--no-trunc", "--format", "{{.ID}} {{.Names}}"]);
  let count = 0;
  let usage = 0;
  let rss = 0;
  let maxRss = 0;
  for (const line of stdout.trim().split("\n")) {
    const [id, name] = line.split(" ");
    if (!names.has(name)) continue;
    try {
      const dir = `/sys/fs/cgroup/memory/docker/${id}`;
      const u = Number(fs.readFileSync(`${dir}/memory.usage_in_bytes`, "utf8"));
      const r = Number(/^total_rss (\d+)/m.exec(fs.readFileSync(`${dir}/memory.stat`, "utf8"))?.[1] ?? 0);
      count++;
      usage += u;
      rss += r;
      maxRss = Math.max(maxRss, r);
    } catch {
      // Exited meanwhile, or another cgroup layout: counted as absent.
    }
  }
  const mb = (b: number) => Math.round(b / 2 ** 20);
  return { count, usageMb: mb(usage), rssMb: mb(rss), maxRssMb: mb(maxRss) };
}

export interface MemorySamples {
  serverRssMb: number[];
  postgresPssMb: number[];
  containers: { count: number; usageMb: number; rssMb: number; maxRssMb: number }[];
}

/** Samples memory until stop(): the server every 500 ms, PostgreSQL and the sandboxes every 3 s. */
export function sampleMemory(serverPid: number, containerNames: Set<string>): { samples: MemorySamples; stop(): void } {
  const samples: MemorySamples = { serverRssMb: [], postgresPssMb: [], containers: [] };
  const fast = setInterval(() => samples.serverRssMb.push(rssMb(serverPid)), 500);
  let busy = false;
  const slow = setInterval(() => {
    if (busy) return;
    busy = true;
    samples.postgresPssMb.push(pssMb(descendants(serverPid, "postgres")));
    containersMb(containerNames)
      .then((c) => samples.containers.push(c))
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, 3000);
  return { samples, stop: () => (clearInterval(fast), clearInterval(slow)) };
}

/** GETs `url` one request after another, a new one every `everyMs`, and keeps each latency (ms; failures apart). */
export function probeLatency(url: string, everyMs: number, headers: Record<string, string> = {}): { latencies: number[]; failures: () => number; stop(): Promise<void> } {
  const latencies: number[] = [];
  let failed = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const t = performance.now();
      const ok = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) }).then(async (r) => (await r.arrayBuffer(), r.ok), () => false);
      const ms = performance.now() - t;
      if (ok) latencies.push(ms);
      else failed++;
      await new Promise((r) => setTimeout(r, Math.max(0, everyMs - ms)));
    }
  })();
  return { latencies, failures: () => failed, stop: async () => ((stopped = true), await loop) };
}

export const latencySummary = (xs: number[]) => ({ n: xs.length, p50: round1(percentile(xs, 50)), p99: round1(percentile(xs, 99)), max: round1(Math.max(0, ...xs)) });
