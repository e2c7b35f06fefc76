// Runs a short helper program (git, rg) as the agent and collects its output; long-running
// shell commands belong to tools/shell.ts, which streams instead.
import { spawn } from "node:child_process";
import { agentSpawn, type AgentUser } from "./agent-user";

export type RunResult = { code: number | null; stdout: string; stderr: string; cut: boolean; timedOut: boolean };

export type RunOptions = {
  cwd: string;
  /** The uid the program runs as: always the agent's, since it touches the agent's files. */
  user: AgentUser;
  signal?: AbortSignal;
  maxBytes?: number;
  input?: string;
  /** Kills the program (and whatever it started: git may run the repository's filters) after this long. */
  timeoutMs?: number;
};

const MAX_STDERR = 64 * 1024;

/** Runs `cmd args` without a shell; stops reading (and kills it) past maxBytes of stdout. */
export function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    // No stdin unless given: ripgrep without a path would otherwise search the pipe.
    const stdin = opts.input === undefined ? "ignore" : "pipe";
    // Its own process group, so a kill reaches what it started too (a hostile filter that hangs).
    const how = agentSpawn(opts.user, opts.cwd, cmd, args);
    const child = spawn(how.file, how.args, { ...how.options, detached: true, stdio: [stdin, "pipe", "pipe"] });
    const out: Buffer[] = [];
    let errText = "";
    let outBytes = 0;
    let cut = false;
    let timedOut = false;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const timer = opts.timeoutMs ? setTimeout(() => ((timedOut = true), kill()), opts.timeoutMs) : undefined;
    const onAbort = () => kill();
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    if (opts.signal?.aborted) kill();
    child.stdout!.on("data", (chunk: Buffer) => {
      if (cut) return;
      out.push(chunk);
      outBytes += chunk.length;
      if (outBytes > maxBytes) {
        cut = true;
        kill();
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      if (errText.length < MAX_STDERR) errText += chunk.toString("utf8");
    });
    child.stdin?.on("error", () => undefined); // the program may exit without reading its input
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      const stdout = Buffer.concat(out).subarray(0, maxBytes).toString("utf8");
      resolve({ code, stdout, stderr: errText.slice(0, MAX_STDERR), cut, timedOut });
    });
    child.stdin?.end(opts.input);
  });
}
