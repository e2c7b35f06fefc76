// Runs the setup script: `bash -e <file>` as the agent in the workspace, in a process group of its
// own, with the setup's environment (secrets, proxy). The file is the worker's (root, 0644, a new
// random name in /tmp, removed afterwards), so the script cannot be swapped while it runs. When
// bash exits (or is killed: timeout, stop) every process of the agent's uid goes too: nothing
// started by setup lives on into the agent's phase with setup's secrets.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { agentSpawn, killAgentProcesses, type AgentUser } from "../agent-user";
import type { SetupLog } from "./log";

export type ScriptOptions = {
  script: string;
  /** Added to the agent's base environment (which has the proxy). */
  env: Record<string, string>;
  timeoutS: number;
  workspace: string;
  user: AgentUser;
  log: SetupLog;
  signal: AbortSignal;
};

export type ScriptResult = {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why the worker ended it, if it did. */
  ended: "timeout" | "stopped" | null;
  /** It could not start. */
  error?: Error;
  durationMs: number;
};

/** setTimeout's largest delay (about 24 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** After bash exits and the rest is killed, how long to wait for the pipes to close. */
const PIPE_GRACE_MS = 5000;

export async function runScript(opts: ScriptOptions): Promise<ScriptResult> {
  const started = Date.now();
  let file: string;
  try {
    file = writeScript(opts.script);
  } catch (error) {
    return { code: null, signal: null, ended: null, error: error as Error, durationMs: Date.now() - started };
  }
  try {
    const result = await run(file, opts);
    opts.log.end();
    return { ...result, durationMs: Date.now() - started };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

function run(file: string, opts: ScriptOptions): Promise<Omit<ScriptResult, "durationMs">> {
  return new Promise((resolve) => {
    const how = agentSpawn(opts.user, opts.workspace, "bash", ["-e", file], opts.env);
    let ended: ScriptResult["ended"] = null;
    const child = spawn(how.file, how.args, { ...how.options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const killAll = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
      killAgentProcesses(opts.user); // what left the group (setsid, daemons)
    };
    const end = (why: "timeout" | "stopped") => {
      ended ??= why;
      killAll();
    };
    const timer = setTimeout(() => end("timeout"), Math.min(opts.timeoutS * 1000, MAX_TIMER_MS));
    const onAbort = () => end("stopped");
    opts.signal.addEventListener("abort", onAbort, { once: true });
    if (opts.signal.aborted) onAbort();

    child.stdout.on("data", (chunk: Buffer) => opts.log.write("stdout", chunk));
    child.stderr.on("data", (chunk: Buffer) => opts.log.write("stderr", chunk));
    let settled = false;
    const finish = (r: Omit<ScriptResult, "durationMs" | "ended">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal.removeEventListener("abort", onAbort);
      resolve({ ...r, ended });
    };
    child.on("error", (error) => finish({ code: null, signal: null, error }));
    child.on("exit", (code, signal) => {
      // Background processes would hold the pipes (and setup's secrets): they go now, and the
      // output they wrote before still drains.
      killAll();
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish({ code, signal });
      }, PIPE_GRACE_MS).unref();
    });
    child.on("close", (code, signal) => finish({ code, signal }));
  });
}

/** A new file only the worker can change: O_EXCL under a random name, so nothing planted is followed. */
function writeScript(script: string): string {
  const file = path.join(os.tmpdir(), `dockside-setup-${crypto.randomBytes(12).toString("hex")}.sh`);
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
  try {
    fs.writeFileSync(fd, script);
    fs.fchmodSync(fd, 0o644);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** Why a script that did not succeed failed, for people: "the setup script failed (exit 3)". */
export function failure(result: ScriptResult, timeoutS: number): string {
  if (result.error) return `the setup script could not start: ${result.error.message}`;
  if (result.ended === "timeout") return `the setup script timed out after ${timeoutS} s`;
  if (result.ended === "stopped") return "the setup script was stopped";
  if (result.code !== null) return `the setup script failed (exit ${result.code})`;
  return `the setup script was killed by ${result.signal ?? "a signal"}`;
}
