// A stand-in for the host's model gateway alone: a Unix socket that forwards /v1/messages to the
// model stub, so in-process agent-loop tests use the worker's real Channel and SDK path. A stub
// that drops its stream drops the worker's too, and `restart` cuts everything like a server restart.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

export type ModelGateway = {
  socketPath: string;
  /** Goes away for `downMs` (socket gone, connections cut), then listens again. */
  restart(downMs: number): Promise<void>;
  close(): Promise<void>;
};

export async function startModelGateway(modelUrl: string): Promise<ModelGateway> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-gw-"));
  const socketPath = path.join(dir, "host.sock");
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const target = new URL(req.url ?? "/", modelUrl);
    const { connection: _hop, ...headers } = req.headers;
    const upstream = http.request(target, { method: req.method, headers: { ...headers, host: target.host }, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      // The stub dropped its connection mid-answer: so does the gateway, as a real proxy would.
      answer.on("aborted", () => res.destroy());
      answer.on("error", () => res.destroy());
    });
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  };
  const listen = async () => {
    fs.rmSync(socketPath, { force: true });
    const server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    return server;
  };
  const stop = (server: http.Server) => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  let server = await listen();
  return {
    socketPath,
    async restart(downMs) {
      await stop(server);
      await new Promise((r) => setTimeout(r, downMs));
      server = await listen();
    },
    async close() {
      await stop(server);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
