// The cached environment: what a setup left behind, handed to the host so the next session with
// the same key restores it instead of running the script. As the agent (it reads the agent's
// files): `git ls-files --others --directory` lists what git does not track in the workspace
// (ignored files included: node_modules/, .venv/), plus the agent's home without its caches; the
// list streams into `tar -c --null -T - -C /` (members relative to /: SNAPSHOT_ROOTS in the
// sandbox), whose output streams into POST /worker/environment. Nothing is held in memory.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { agentSpawn, type AgentUser } from "../agent-user";
import type { Channel } from "../channel";

export type SnapshotOptions = {
  channel: Channel;
  user: AgentUser;
  workspace: string;
  home: string;
  key: string;
  /** How long the setup took: what restoring this snapshot saves. */
  setupMs: number;
  signal: AbortSignal;
};

/** Caches under the home that are not worth keeping (they refill themselves). */
export const HOME_CACHES = [".cache", ".npm", ".yarn/berry/cache", ".bun/install/cache", ".cargo/registry/cache", ".local/share/pnpm/store", ".pnpm-store"];
/** The upload is dropped when nothing moves for this long. */
const IDLE_TIMEOUT_MS = 60_000;

/** Path relative to / (a tar member name). */
const fromRoot = (p: string) => path.relative("/", path.resolve(p));

/** Makes the snapshot and uploads it; throws with the reason when it was not taken. */
export async function uploadSnapshot(opts: SnapshotOptions): Promise<void> {
  const ws = fromRoot(opts.workspace);
  const home = fromRoot(opts.home);
  const excludes = HOME_CACHES.map((c) => `--exclude=${home}/${c}`);
  const tarArgs = ["-c", "-f", "-", "-C", "/", "--numeric-owner", "--ignore-failed-read", "--anchored", "--no-wildcards", ...excludes, "--null", "-T", "-"];
  const gitArgs = ["-c", "safe.directory=*", "-c", "core.fsmonitor=false", "ls-files", "-z", "--others", "--directory"];
  const tar = start(agentSpawn(opts.user, "/", "tar", tarArgs), "pipe");
  const git = start(agentSpawn(opts.user, opts.workspace, "git", gitArgs), "ignore");
  const stderr = { tar: "", git: "" };
  for (const [name, child] of [["tar", tar], ["git", git]] as const) {
    child.stderr!.on("data", (c: Buffer) => void (stderr[name].length < 2000 && (stderr[name] += c.toString("utf8"))));
  }
  const exited = (child: ChildProcess) =>
    new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code) => resolve(code));
    });
  const gitDone = exited(git).then((code) => {
    if (code !== 0) throw new Error(`git ls-files failed: ${stderr.git.trim().slice(0, 500) || `exit code ${code}`}`);
  });
  const tarDone = exited(tar).then((code) => {
    if (code !== 0) throw new Error(`tar failed: ${stderr.tar.trim().slice(0, 500) || `exit code ${code}`}`);
  });
  // The home directory first (if the sandbox has one), then each entry git lists, under the workspace.
  const list = tar.stdin!;
  list.on("error", () => undefined); // tar gone: its exit code says why
  if (fs.existsSync(opts.home)) list.write(`${home}\0`);
  pipeEntries(git, list, Buffer.from(`${ws}/`));
  gitDone.then(
    () => list.end(),
    () => killGroup(tar),
  );
  const complete = Promise.all([gitDone, tarDone]).then(() => undefined);
  complete.catch(() => undefined); // handled by the upload
  try {
    await opts.channel.upload(`/worker/environment?key=${encodeURIComponent(opts.key)}&ms=${Math.round(opts.setupMs)}`, tar.stdout!, {
      contentType: "application/x-tar",
      signal: opts.signal,
      timeoutMs: IDLE_TIMEOUT_MS,
      complete,
    });
  } finally {
    killGroup(git);
    killGroup(tar);
  }
}

/** NUL-separated names from git's stdout into tar's list, each under `prefix`, with backpressure. */
function pipeEntries(git: ChildProcess, list: NodeJS.WritableStream, prefix: Buffer): void {
  let rest = Buffer.alloc(0);
  const out = git.stdout!;
  out.on("data", (chunk: Buffer) => {
    const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    const names: Buffer[] = [];
    for (let nul = buf.indexOf(0, start); nul !== -1; start = nul + 1, nul = buf.indexOf(0, start)) {
      let end = nul;
      while (end > start && buf[end - 1] === 0x2f) end--; // "node_modules/" -> "node_modules"
      if (end > start) names.push(prefix, buf.subarray(start, end), Buffer.from([0]));
    }
    rest = Buffer.from(buf.subarray(start));
    if (names.length && !list.write(Buffer.concat(names))) {
      out.pause();
      list.once("drain", () => out.resume());
    }
  });
}

function start(how: ReturnType<typeof agentSpawn>, stdin: "pipe" | "ignore"): ChildProcess {
  return spawn(how.file, how.args, { ...how.options, detached: true, stdio: [stdin, "pipe", "pipe"] });
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}
