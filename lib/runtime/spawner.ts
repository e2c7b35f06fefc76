// Host commands (git, mount, mkfs) are started by a small long-lived helper process, not by the
// server itself: fork() copies the caller's page tables, so each spawn from a server holding
// hundreds of MB stalls its event loop for ~25 ms on this VM (every socket, every request waits),
// while the helper's fork is cheap. Same contract as a direct spawn: argv only, never a shell,
// the environment given by the caller, uid/gid, a timeout (SIGKILL), capped output. The helper is
// started on first use, restarted if it dies (the commands it was running answer as failed), and
// exits with the server (its IPC channel closes).
import { spawn, type ChildProcess } from "node:child_process";

export interface SpawnRequest {
  cmd: string;
  args: string[];
  cwd?: string;
  /** The whole environment of the command; absent: the server's own. */
  env?: Record<string, string>;
  uid?: number;
  gid?: number;
  timeoutMs: number;
  /** Bytes of stdout and of stderr kept, each; past it the rest is read and dropped (`cut`). */
  maxBytes: number;
}

export interface SpawnResult {
  /** Exit code; null when killed by a signal or never started. */
  code: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: Buffer;
  /** stdout was longer than maxBytes. */
  cut: boolean;
  stderrCut: boolean;
  timedOut: boolean;
  /** Set when the command could not be started (ENOENT...) or the helper stopped under it. */
  error?: { code?: string; message: string };
}

// The helper, as plain JavaScript run with `node -e`: no file to find inside a bundle, nothing of
// the server's code loaded (its memory stays small, which is the point).
const HELPER = String.raw`
const { spawn } = require("node:child_process");
process.on("disconnect", () => process.exit(0));
process.on("message", (m) => {
  const out = { list: [], n: 0, cut: false }, err = { list: [], n: 0, cut: false };
  let timedOut = false, done = false, timer;
  const finish = (r) => { if (done) return; done = true; clearTimeout(timer); process.send({ id: m.id, stdout: Buffer.concat(out.list), stderr: Buffer.concat(err.list), cut: out.cut, stderrCut: err.cut, timedOut, ...r }); };
  let child;
  try {
    child = spawn(m.cmd, m.args, { cwd: m.cwd, env: m.env ?? process.env, stdio: ["ignore", "pipe", "pipe"], ...(m.uid !== undefined ? { uid: m.uid, gid: m.gid } : {}) });
  } catch (e) {
    return finish({ code: null, signal: null, error: { code: e.code, message: e.message } });
  }
  const keep = (s, b) => { const room = m.maxBytes - s.n; if (b.length > room) { s.cut = true; b = b.subarray(0, Math.max(0, room)); } if (b.length) { s.list.push(b); s.n += b.length; } };
  child.stdout.on("data", (b) => keep(out, b));
  child.stderr.on("data", (b) => keep(err, b));
  timer = setTimeout(() => { timedOut = true; child.kill("SIGKILL"); }, m.timeoutMs);
  child.on("error", (e) => finish({ code: null, signal: null, error: { code: e.code, message: e.message } }));
  child.on("close", (code, signal) => finish({ code, signal }));
});
`;

interface Waiting {
  helper: ChildProcess;
  resolve: (r: SpawnResult) => void;
}

class Spawner {
  private child: ChildProcess | null = null;
  private next = 1;
  private readonly waiting = new Map<number, Waiting>();

  run(req: SpawnRequest): Promise<SpawnResult> {
    const child = this.helper();
    const id = this.next++;
    return new Promise<SpawnResult>((resolve) => {
      this.waiting.set(id, { helper: child, resolve });
      // While a command runs the channel keeps the server alive (as a direct child would).
      if (this.waiting.size === 1) child.channel?.ref();
      child.send({ id, ...req }, (err) => {
        if (err) this.settle(id, failed(`the host command helper could not take the command: ${err.message}`));
      });
    });
  }

  /** The helper's pid (tests). */
  get pid(): number | undefined {
    return this.helper().pid;
  }

  private helper(): ChildProcess {
    if (this.child && this.child.connected) return this.child;
    // Only what node needs to start: each command carries its own environment.
    const child = spawn(process.execPath, ["-e", HELPER], { stdio: ["ignore", "ignore", "inherit", "ipc"], serialization: "advanced", env: process.env });
    child.on("message", (m: { id: number } & Omit<SpawnResult, "stdout" | "stderr"> & { stdout: Uint8Array; stderr: Uint8Array }) => {
      this.settle(m.id, { ...m, stdout: Buffer.from(m.stdout.buffer, m.stdout.byteOffset, m.stdout.byteLength), stderr: Buffer.from(m.stderr.buffer, m.stderr.byteOffset, m.stderr.byteLength) });
    });
    const gone = (why: string) => {
      if (this.child === child) this.child = null;
      // Their processes may still run (now children of init), but no answer will come: failed.
      for (const [id, w] of [...this.waiting]) if (w.helper === child) this.settle(id, failed(`the host command helper stopped (${why}) while the command ran`));
    };
    child.on("disconnect", () => gone("its channel closed"));
    child.on("exit", (code, signal) => gone(signal ?? `exit ${code}`));
    child.on("error", (err) => gone(err.message));
    child.unref();
    child.channel?.unref();
    this.child = child;
    return child;
  }

  private settle(id: number, r: SpawnResult): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    if (!this.waiting.size) this.child?.channel?.unref();
    w.resolve(r);
  }
}

function failed(message: string): SpawnResult {
  return { code: null, signal: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), cut: false, stderrCut: false, timedOut: false, error: { message } };
}

// One helper per process, shared by the server's code and Next's bundled copy of it.
const g = globalThis as unknown as { __docksideSpawner?: Spawner };

/** Runs one host command through the helper; never throws. */
export function spawnHost(req: SpawnRequest): Promise<SpawnResult> {
  g.__docksideSpawner ??= new Spawner();
  return g.__docksideSpawner.run(req);
}

/** The helper's pid, starting it if needed (tests: kill it and see it restarted). */
export function spawnerPid(): number | undefined {
  g.__docksideSpawner ??= new Spawner();
  return g.__docksideSpawner.pid;
}
