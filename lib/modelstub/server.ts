// A local, scripted stand-in for the Anthropic Messages API, so the real SDK code path runs in
// tests and in the offline demo without an API key. See script.ts for the script format.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { buildMessage, errorBody, makeRequestId, pickStep } from "./reply";
import { describeIssues, MessagesRequestSchema, ScriptSchema, type Script } from "./script";
import { pause, streamEvents, writeEvents } from "./sse";

export interface RecordedRequest {
  headers: Record<string, string>;
  body: unknown;
  at: number;
}

export interface ModelStub {
  url: string;
  port: number;
  addScript(s: Script): void;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface ModelStubOptions {
  port?: number;
  host?: string;
  scripts?: Script[];
}

interface StubState {
  scripts: Script[];
  requests: RecordedRequest[];
}

function sendJson(res: ServerResponse, status: number, body: unknown, requestId = makeRequestId()): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "request-id": requestId,
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  const requestId = makeRequestId();
  sendJson(res, status, errorBody(type, message, requestId), requestId);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const piece of req) chunks.push(piece as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

// Aborts when the client goes away before the response is complete, so streams stop writing.
function disconnectSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

async function handleMessages(req: IncomingMessage, res: ServerResponse, state: StubState): Promise<void> {
  const raw = await readBody(req);
  const json = parseJson(raw);
  state.requests.push({ headers: lowerCaseHeaders(req), body: json.ok ? json.value : raw, at: Date.now() });
  if (!json.ok) return sendError(res, 400, "invalid_request_error", "The request body is not valid JSON.");
  const parsed = MessagesRequestSchema.safeParse(json.value);
  if (!parsed.success) return sendError(res, 400, "invalid_request_error", describeIssues(parsed.error));

  const request = parsed.data;
  const step = pickStep(state.scripts, request);
  const signal = disconnectSignal(res);
  if (!(await pause(step.delayMs ?? 0, signal))) return;
  if (step.error) return sendError(res, step.error.status, step.error.type, step.error.message);

  const message = buildMessage(step, request, raw.length);
  if (!request.stream) return sendJson(res, 200, message);
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "request-id": makeRequestId(),
  });
  await writeEvents(res, streamEvents(message, step), signal);
}

async function handleAddScript(req: IncomingMessage, res: ServerResponse, state: StubState): Promise<void> {
  const json = parseJson(await readBody(req));
  if (!json.ok) return sendError(res, 400, "invalid_request_error", "The request body is not valid JSON.");
  const parsed = ScriptSchema.safeParse(json.value);
  if (!parsed.success) return sendError(res, 400, "invalid_request_error", describeIssues(parsed.error));
  state.scripts.push(parsed.data);
  sendJson(res, 200, { ok: true, scripts: state.scripts.length });
}

// The /__ routes let out-of-process tests (Playwright) script the stub and read what it received.
async function route(req: IncomingMessage, res: ServerResponse, state: StubState): Promise<void> {
  const path = new URL(req.url ?? "/", "http://stub").pathname;
  const key = `${req.method} ${path}`;
  switch (key) {
    case "POST /v1/messages":
      return handleMessages(req, res, state);
    case "POST /__scripts":
      return handleAddScript(req, res, state);
    case "DELETE /__scripts":
      state.scripts.length = 0;
      return sendJson(res, 200, { ok: true });
    case "GET /__requests":
      return sendJson(res, 200, state.requests);
    case "DELETE /__requests":
      // Cleared in place: callers hold a reference to this array through `ModelStub.requests`.
      state.requests.length = 0;
      return sendJson(res, 200, { ok: true });
    case "GET /__health":
      return sendJson(res, 200, { ok: true });
    default:
      return sendError(res, 404, "not_found_error", `No route for ${key}`);
  }
}

function reachableHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

// Starts the stub; port 0 picks a free port. Scripts added later are matched before earlier ones.
export async function startModelStub(opts: ModelStubOptions = {}): Promise<ModelStub> {
  const host = opts.host ?? "127.0.0.1";
  const state: StubState = { scripts: (opts.scripts ?? []).map((s) => ScriptSchema.parse(s)), requests: [] };
  const server = createServer((req, res) => {
    route(req, res, state).catch((error: unknown) => {
      console.error("model stub: request failed", error);
      if (!res.headersSent) return sendError(res, 500, "api_error", "Internal server error");
      res.destroy();
    });
  });
  await listen(server, opts.port ?? 0, host);
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${reachableHost(host)}:${port}`,
    port,
    requests: state.requests,
    addScript(script: Script) {
      state.scripts.push(ScriptSchema.parse(script));
    },
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets from the SDK's fetch would otherwise hold close() open.
        server.closeAllConnections();
      });
    },
  };
}
