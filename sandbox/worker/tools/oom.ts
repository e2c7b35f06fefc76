// Tells a command killed for memory from one killed otherwise: the sandbox's cgroup counts OOM
// kills (cgroup v2: memory.events, v1: memory.oom_control). Outside a container these files
// may be absent or describe the host: then nothing is claimed.
import fs from "node:fs";

const COUNTERS = ["/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control"];
const LIMITS = ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"];

function readFirst(files: string[]): string | null {
  for (const f of files) {
    try {
      return fs.readFileSync(f, "utf8");
    } catch {
      // try the other cgroup layout
    }
  }
  return null;
}

/** The number of processes the kernel killed for memory in this sandbox so far, if known. */
export function oomKills(): number | null {
  const m = /oom_kill (\d+)/.exec(readFirst(COUNTERS) ?? "");
  return m ? Number(m[1]) : null;
}

/** The sandbox's memory limit in MB, if one is set. */
export function memoryLimitMb(): number | null {
  const raw = readFirst(LIMITS)?.trim();
  if (!raw || raw === "max") return null;
  const bytes = Number(raw);
  return Number.isFinite(bytes) && bytes < 2 ** 50 ? Math.round(bytes / 2 ** 20) : null;
}
