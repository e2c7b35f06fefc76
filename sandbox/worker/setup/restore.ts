// Restores a cached environment: GET /worker/environment streams into `tar -x -C /` run as the
// agent, so a hostile archive writes only where the agent may write anyway. GNU tar refuses
// absolute and ../ members by default; files become the agent's (--no-same-owner) and existing
// directories (the workspace, the home) keep their owner and mode (--no-overwrite-dir).
import { spawn } from "node:child_process";
import { agentSpawn, type AgentUser } from "../agent-user";
import type { Channel } from "../channel";

export type RestoreOptions = { channel: Channel; user: AgentUser; signal: AbortSignal };

/** The download is dropped when nothing moves for this long. */
const IDLE_TIMEOUT_MS = 60_000;

/** Unpacks the snapshot; throws with the reason when it could not (HttpError 404: there is none). */
export async function restoreSnapshot(opts: RestoreOptions): Promise<void> {
  const res = await opts.channel.download("/worker/environment", { signal: opts.signal, timeoutMs: IDLE_TIMEOUT_MS });
  const how = agentSpawn(opts.user, "/", "tar", ["-x", "-f", "-", "-C", "/", "--no-same-owner", "--no-overwrite-dir"]);
  const tar = spawn(how.file, how.args, { ...how.options, detached: true, stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  tar.stderr!.on("data", (c: Buffer) => void (stderr.length < 2000 && (stderr += c.toString("utf8"))));
  const kill = () => {
    try {
      if (tar.pid) process.kill(-tar.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  return new Promise<void>((resolve, reject) => {
    let complete = false;
    let cut: Error | null = null;
    const broken = (err: Error) => {
      if (complete || cut) return;
      cut = err;
      kill(); // a cut archive is not unpacked any further
    };
    res.on("end", () => (complete = true));
    res.on("error", (err) => broken(new Error(`the download broke off: ${err.message}`)));
    res.on("close", () => broken(new Error("the download broke off")));
    tar.stdin!.on("error", () => undefined); // tar gone: its exit code says why
    res.pipe(tar.stdin!);
    tar.on("error", (err) => {
      res.destroy();
      reject(new Error(`could not run tar: ${err.message}`));
    });
    tar.on("close", (code) => {
      res.destroy();
      // tar read the archive to its end marker: all of it is there (a cut one makes tar fail).
      if (code === 0) return resolve();
      reject(cut ?? new Error(`tar failed: ${stderr.trim().slice(0, 500) || `exit code ${code}`}`));
    });
  });
}
