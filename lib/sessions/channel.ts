// The host end of a session's worker channel: an HTTP server on a Unix socket inside the
// session's run directory, which the container sees at /run/dockside/host.sock. See
// lib/protocol/worker.ts for the endpoints. Everything the worker sends is validated.
import fs from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { z } from "zod";
import type { NewEvent } from "../events/schema";
import { WorkerEventBatchSchema, type WorkerCommand, type WorkerConfig, type WorkerEventBatch } from "../protocol/worker";
import { forwardModelCall } from "./gateway";
import { SANDBOX_GID, SANDBOX_UID } from "../git/workspace";

const MAX_BODY = 32 * 1024 * 1024;
const CommandsQuery = z.object({ after: z.coerce.number().int().min(0), wait: z.coerce.number().min(0).max(30).default(0) });

export interface ChannelHandlers {
  config(): WorkerConfig;
  /** Stores a batch; resolves to the highest worker event number now stored. */
  events(batch: WorkerEventBatch): Promise<number>;
  /** Commands after `after`; waits up to `waitS` seconds for one when there are none. */
  commands(after: number, waitS: number, signal: AbortSignal): Promise<WorkerCommand[]>;
  usage(event: NewEvent): Promise<void>;
}

export interface Channel {
  close(): Promise<void>;
}

export async function openChannel(socketPath: string, h: ChannelHandlers): Promise<Channel> {
  fs.rmSync(socketPath, { force: true });
  const server = http.createServer((req, res) => {
    handle(req, res, h).catch((err) => {
      console.error(`[channel] ${req.method} ${req.url}:`, err);
      if (!res.headersSent) send(res, 500, { error: (err as Error).message });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  // The worker runs as the sandbox user and must be able to connect.
  fs.chmodSync(socketPath, 0o660);
  if (process.getuid?.() === 0) fs.chownSync(socketPath, SANDBOX_UID, SANDBOX_GID);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, h: ChannelHandlers): Promise<void> {
  const url = new URL(req.url ?? "/", "http://sandbox");
  const route = `${req.method} ${url.pathname}`;
  if (route === "GET /worker/config") return send(res, 200, h.config());
  if (route === "POST /worker/events") {
    const parsed = WorkerEventBatchSchema.safeParse(JSON.parse((await readBody(req)).toString("utf8")));
    if (!parsed.success) return send(res, 422, { error: parsed.error.message });
    return send(res, 200, { ack: await h.events(parsed.data) });
  }
  if (route === "GET /worker/commands") {
    const q = CommandsQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!q.success) return send(res, 422, { error: q.error.message });
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    const commands = await h.commands(q.data.after, q.data.wait, abort.signal);
    if (!res.destroyed) send(res, 200, { commands });
    return;
  }
  if (route === "POST /v1/messages") {
    const { usage } = await forwardModelCall(await readBody(req), req, res);
    if (usage) await h.usage(usage);
    return;
  }
  send(res, 404, { error: `no such endpoint: ${route}` });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (b: Buffer) => {
      size += b.length;
      if (size > MAX_BODY) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      parts.push(b);
    });
    req.on("end", () => resolve(Buffer.concat(parts)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
