// Runs a short helper program (git, rg) and collects its output; long-running shell commands
// belong to tools/shell.ts, which streams instead.
import { spawn } from "node:child_process";

export type RunResult = { code: number | null; stdout: string; stderr: string; cut: boolean };

export type RunOptions = { cwd: string; signal?: AbortSignal; maxBytes?: number; input?: string };

/** Runs `cmd args` without a shell; stops reading (and kills it) past maxBytes of stdout. */
export function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    // No stdin unless given: ripgrep without a path would otherwise search the pipe.
    const stdin = opts.input === undefined ? "ignore" : "pipe";
    const child = spawn(cmd, args, { cwd: opts.cwd, signal: opts.signal, stdio: [stdin, "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let cut = false;
    child.stdout!.on("data", (chunk: Buffer) => {
      if (cut) return;
      out.push(chunk);
      outBytes += chunk.length;
      if (outBytes > maxBytes) {
        cut = true;
        child.kill("SIGKILL");
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const stdout = Buffer.concat(out).subarray(0, maxBytes).toString("utf8");
      resolve({ code, stdout, stderr: Buffer.concat(err).toString("utf8"), cut });
    });
    child.stdin?.end(opts.input);
  });
}
