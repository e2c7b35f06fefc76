// CPU time by process while a benchmark runs, from /proc: which side of a pipeline is busy. Sampled
// (processes that exit between samples keep what they had at their last sample).
import fs from "node:fs";

const TICK = 100; // USER_HZ on Linux

type Proc = { what: string; seconds: number; ppid: number; cgroup: string };

/** utime + stime in seconds of every process now, with what it is. */
function snapshot(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const fields = stat.slice(close + 2).split(" ");
      const seconds = (Number(fields[11]) + Number(fields[12])) / TICK;
      const cmd = fs.readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").join(" ");
      const cgroup = fs.readFileSync(`/proc/${name}/cgroup`, "utf8");
      out.set(Number(name), { what: cmd || stat.slice(stat.indexOf("(") + 1, close), seconds, ppid: Number(fields[1]), cgroup });
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** A process as `classify` sees it: its command line, its ancestors' pids (parent first), its cgroups. */
export type ProcInfo = { pid: number; cmd: string; ancestors: number[]; cgroup: string };

/**
 * Samples every `ms` until stop(); returns CPU seconds per category (`classify` names a process;
 * null leaves it out: other work on a shared machine).
 */
export function cpuByProcess(classify: (p: ProcInfo) => string | null, ms = 250) {
  const start = snapshot();
  const last = new Map(start);
  const timer = setInterval(() => {
    for (const [pid, s] of snapshot()) last.set(pid, s);
  }, ms);
  return {
    stop(): Record<string, number> {
      clearInterval(timer);
      for (const [pid, s] of snapshot()) last.set(pid, s);
      const by: Record<string, number> = {};
      const ancestors = (pid: number) => {
        const out: number[] = [];
        for (let p = last.get(pid)?.ppid; p && out.length < 64; p = last.get(p)?.ppid) out.push(p);
        return out;
      };
      for (const [pid, s] of last) {
        const what = classify({ pid, cmd: s.what, ancestors: ancestors(pid), cgroup: s.cgroup });
        if (!what) continue;
        const used = s.seconds - (start.get(pid)?.seconds ?? 0);
        if (used > 0) by[what] = Number(((by[what] ?? 0) + used).toFixed(2));
      }
      return by;
    },
  };
}
