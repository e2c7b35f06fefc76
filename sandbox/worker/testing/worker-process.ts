// Starts the built worker bundle as the container would, with its paths pointed at temp dirs.
// DOCKSIDE_WORKER_NODE picks the node binary (e.g. Debian's Node 18, as in the sandbox).
// Run as root, the worker gets the container's capabilities through setpriv (util-linux).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const root = path.resolve(__dirname, "../../..");

export function buildWorker(): void {
  execFileSync(process.execPath, [path.join(root, "scripts/build-worker.mjs")]);
}

export type WorkerProcess = { child: ChildProcess; stderr: () => string; exited: () => Promise<number | null> };

export function startWorker(opts: { socketPath: string; stateDir: string; workspace: string; home: string; inboxDir?: string; env?: Record<string, string> }): WorkerProcess {
  const node = process.env.DOCKSIDE_WORKER_NODE || process.execPath;
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: "test",
    PATH: process.env.PATH,
    HOME: opts.home,
    DOCKSIDE_HOST_SOCKET: opts.socketPath,
    DOCKSIDE_STATE_DIR: opts.stateDir,
    DOCKSIDE_WORKSPACE: opts.workspace,
    ...(opts.inboxDir ? { DOCKSIDE_INBOX_DIR: opts.inboxDir } : {}),
    // A free port for the egress forwarder: workers of parallel tests never collide on 3128.
    DOCKSIDE_EGRESS_PORT: "0",
    ...opts.env,
  };
  // As root, with the container's capabilities only (cap-drop ALL + SETUID, SETGID, KILL,
  // no-new-privileges): root that cannot read or enter what the agent keeps to itself.
  const worker = path.join(root, "sandbox/dist/worker.mjs");
  const [file, args] =
    process.getuid?.() === 0
      ? ["setpriv", ["--bounding-set", "-all,+setuid,+setgid,+kill", "--inh-caps", "-all", "--no-new-privs", node, worker]]
      : [node, [worker]];
  const child = spawn(file, args, { env, stdio: ["ignore", "inherit", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, stderr: () => stderr, exited: () => done };
}
