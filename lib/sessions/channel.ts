// The host end of a session's worker channel: an HTTP server on a Unix socket inside the
// session's run directory, which the container sees at /run/dockside/host.sock. See
// lib/protocol/worker.ts for the endpoints and channel-routes.ts for how each is served.
// Only the worker may reach it: the run directory is the host's own (0700), the socket is 0600,
// and nothing here follows a symlink or hands a path to the sandbox's uid.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { listenerPath, publishSocket, sweepDeadListeners } from "./socket-link";
import { AppError } from "../errors";
import { route, type ChannelHandlers } from "./channel-routes";

export type { ChannelHandlers } from "./channel-routes";

export interface Channel {
  close(): Promise<void>;
}

/**
 * Listens for `<runDir>/host.sock` after checking that `runDir` is a private directory of this
 * process's user: on a socket of its own, which host.sock then points at (socket-link.ts).
 */
export async function openChannel(runDir: string, h: ChannelHandlers): Promise<Channel> {
  assertPrivateDir(runDir);
  const socketPath = listenerPath(runDir, "host");
  const server = http.createServer((req, res) => {
    route(req, res, h).catch((err) => {
      console.error(`[channel] ${req.method} ${req.url}:`, err);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: "internal error on the Dockside host" }));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  // A worker needs a handful (a poll or two, events, a model call, an upload).
  server.maxConnections = 32;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // bind(2) creates the socket file with 0777 & ~umask and listen() binds synchronously: the
    // socket is 0600 from its first moment, with no chmod by path afterwards (which could follow
    // a symlink swapped in meanwhile).
    const umask = process.umask(0o177);
    try {
      server.listen(socketPath, () => resolve());
    } finally {
      process.umask(umask);
    }
  });
  const st = fs.lstatSync(socketPath);
  if (!st.isSocket() || st.uid !== ownUid() || (st.mode & 0o777) !== 0o600) {
    server.close();
    throw new AppError("internal", `the worker channel socket ${socketPath} is not a private socket (mode ${(st.mode & 0o777).toString(8)})`);
  }
  publishSocket(runDir, "host", socketPath);
  void sweepDeadListeners(runDir, "host", socketPath);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Refuses a path that is not a real directory (lstat: a symlink is refused) owned by this user with mode 0700. */
export function assertPrivateDir(dir: string): void {
  const st = fs.lstatSync(dir, { throwIfNoEntry: false });
  const why = !st
    ? "does not exist"
    : st.isSymbolicLink()
      ? "is a symlink"
      : !st.isDirectory()
        ? "is not a directory"
        : st.uid !== ownUid()
          ? `is owned by uid ${st.uid}, not ${ownUid()}`
          : (st.mode & 0o777) !== 0o700
            ? `has mode ${(st.mode & 0o777).toString(8)}, not 700`
            : null;
  if (why) throw new AppError("internal", `refusing to open the worker channel: the run directory ${dir} ${why}`);
}

const ownUid = () => process.getuid?.() ?? 0;
