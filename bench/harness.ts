// Benchmark harness: a real Dockside server (child process, production build) against the
// model stub, on a fresh data directory; plus helpers to record results.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startModelStub, type ModelStub } from "../lib/modelstub/server";
import { removeInstanceSandboxes } from "../lib/sandbox/container";

export interface BenchServer {
  url: string;
  /** A signed-in owner's session cookie (the first account owns the first team). */
  cookie: string;
  pid: number;
  stub: ModelStub;
  dir: string;
  /** Everything the server printed so far. */
  log(): string;
  stop(): Promise<void>;
}

export interface BenchServerOptions {
  /** More environment for the server (e.g. sandbox limits). */
  env?: Record<string, string>;
  /** Node flags before the script, e.g. ["--cpu-prof", "--cpu-prof-dir=..."] to profile the server. */
  nodeArgs?: string[];
}

export async function startBenchServer(port: number, opts: BenchServerOptions = {}): Promise<BenchServer> {
  const stub = await startModelStub();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-bench-"));
  fs.chmodSync(dir, 0o755);
  const child: ChildProcess = spawn("node", [...(opts.nodeArgs ?? []), "--import", "tsx", "server.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOSTNAME: "localhost",
      DOCKSIDE_DATA_DIR: path.join(dir, "data"),
      DOCKSIDE_PG_PORT: String(port + 20000),
      ANTHROPIC_BASE_URL: stub.url,
      ANTHROPIC_API_KEY: "bench-key",
      // Bench repositories are made under the temporary directory; runs may start many sessions.
      DOCKSIDE_REPO_ROOTS: fs.realpathSync(os.tmpdir()),
      DOCKSIDE_MAX_ACTIVE_SESSIONS_PER_USER: "1000",
      DOCKSIDE_SESSIONS_PER_MINUTE: "1000",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log: string[] = [];
  child.stdout?.on("data", (b: Buffer) => log.push(b.toString()));
  child.stderr?.on("data", (b: Buffer) => log.push(b.toString()));
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${log.join("")}`);
    const ok = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`server did not start: ${log.join("")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const signUp = await fetch(`${url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ name: "Bench", email: `bench-${Date.now()}@example.com`, password: "bench-password-1" }),
  });
  if (!signUp.ok) throw new Error(`sign-up failed: ${signUp.status} ${await signUp.text()}`);
  const cookie = signUp.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  return {
    url,
    cookie,
    pid: child.pid!,
    stub,
    dir,
    log: () => log.join(""),
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      await stub.close();
      // Sandboxes outlive the server by design; a benchmark's should not outlive the benchmark.
      await removeInstanceSandboxes(path.join(dir, "data"));
    },
  };
}

/** Peak resident memory of a process so far (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

/** Resident memory of a process now (VmRSS), in MB; 0 once it has exited. */
export function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

export function writeResult(name: string, result: Record<string, unknown>): void {
  const dir = path.resolve("bench/results");
  fs.mkdirSync(dir, { recursive: true });
  const body = { name, at: new Date().toISOString(), machine: { cpus: os.cpus().length, memGb: Math.round(os.totalmem() / 2 ** 30), node: process.version }, ...result };
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(body, null, 2) + "\n");
  console.log(JSON.stringify(body, null, 2));
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function createSession(server: BenchServer, repo: string, prompt: string): Promise<{ id: string }> {
  const r = await fetch(`${server.url}/api/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: server.cookie, origin: server.url },
    body: JSON.stringify({ repo, prompt }),
  });
  if (r.status !== 201) throw new Error(`create failed: ${r.status} ${await r.text()}`);
  return (await r.json()) as { id: string };
}
