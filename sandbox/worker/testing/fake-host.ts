// A test stand-in for the Dockside host's side of the worker channel: an HTTP server on a Unix
// socket serving config, events (dedup by wid), commands (long poll), and /v1/messages
// proxied to the model stub the way the gateway does (it swaps in the API key).
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { WorkerEventBatchSchema, type WorkerCommand, type WorkerConfig } from "../../../lib/protocol/worker";
import type { WorkerEvent } from "../outbox";

export type FakeHost = {
  socketPath: string;
  /** Stored events in arrival order (each wid once). */
  events: WorkerEvent[];
  /** Every wid received, duplicates included. */
  received: number[];
  sendMessage(text: string): number;
  interrupt(): void;
  waitFor(pred: (events: WorkerEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Goes away for `downMs` (socket gone, connections cut) and comes back with its data. */
  restart(downMs: number): Promise<void>;
  close(): Promise<void>;
};

export async function startFakeHost(opts: { dir: string; config: WorkerConfig; modelUrl: string }): Promise<FakeHost> {
  const socketPath = path.join(opts.dir, "host.sock");
  const events: WorkerEvent[] = [];
  const received: number[] = [];
  const commands: (WorkerCommand & { delivered?: boolean })[] = [];
  let seq = 100;
  let listeners: (() => void)[] = [];
  const changed = () => {
    for (const l of listeners.splice(0)) l();
  };
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const readBody = async (req: http.IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  const pendingFor = (after: number) =>
    commands.filter((c) => (c.kind === "interrupt" ? !c.delivered : c.seq > after));

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://host");
    const route = `${req.method} ${url.pathname}`;
    if (route === "GET /worker/config") return json(res, 200, opts.config);
    if (route === "POST /worker/events") {
      const batch = WorkerEventBatchSchema.safeParse(JSON.parse((await readBody(req)).toString("utf8")));
      if (!batch.success) return json(res, 422, { error: batch.error.message });
      for (const e of batch.data.events as WorkerEvent[]) {
        received.push(e.wid);
        if (!events.some((s) => s.wid === e.wid)) events.push(e);
      }
      changed();
      return json(res, 200, { ack: Math.max(0, ...events.map((e) => e.wid)) });
    }
    if (route === "GET /worker/commands") {
      const after = Number(url.searchParams.get("after") ?? 0);
      const deadline = Date.now() + Number(url.searchParams.get("wait") ?? 0) * 1000;
      while (!pendingFor(after).length && Date.now() < deadline && !res.destroyed) {
        await new Promise<void>((resolve) => {
          listeners.push(resolve);
          setTimeout(resolve, Math.max(0, deadline - Date.now()));
        });
      }
      const pending = pendingFor(after);
      for (const c of pending) if (c.kind === "interrupt") c.delivered = true;
      return json(res, 200, { commands: pending.map(({ delivered: _d, ...c }) => c) });
    }
    if (route === "POST /v1/messages") return proxy(req, res, opts.modelUrl);
    json(res, 404, { error: `no route ${route}` });
  };
  const listen = async () => {
    fs.rmSync(socketPath, { force: true });
    const server = http.createServer((req, res) => void handler(req, res));
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    return server;
  };
  const stop = (server: http.Server) => {
    listeners.splice(0).forEach((l) => l());
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  let server = await listen();

  return {
    socketPath,
    events,
    received,
    sendMessage(text) {
      commands.push({ kind: "message", seq: ++seq, text });
      changed();
      return seq;
    },
    interrupt() {
      commands.push({ kind: "interrupt" });
      changed();
    },
    async waitFor(pred, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pred(events)) {
        if (Date.now() > deadline) throw new Error(`timed out; events so far: ${JSON.stringify(events.map((e) => e.type))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async restart(downMs) {
      await stop(server);
      await new Promise((r) => setTimeout(r, downMs));
      server = await listen();
    },
    close: () => stop(server),
  };
}

/** Forwards a Messages call to the model stub, streaming the answer back, with the key swapped in. */
function proxy(req: http.IncomingMessage, res: http.ServerResponse, modelUrl: string): void {
  const target = new URL("/v1/messages", modelUrl);
  // "connection" is hop-by-hop: forwarding the worker's "close" confuses a pooled upstream socket.
  const { connection: _hop, ...rest } = req.headers;
  const headers = { ...rest, host: target.host, "x-api-key": "key-added-by-gateway" };
  const upstream = http.request(target, { method: "POST", headers, agent: false }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on("error", () => res.destroy());
  res.on("close", () => upstream.destroy());
  req.pipe(upstream);
}
