// A local, scripted stand-in for the Anthropic Messages API, so the real SDK code path runs in
// tests and in the offline demo without an API key. See script.ts for the script format.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Usage } from "@anthropic-ai/sdk/resources/messages";
import { z } from "zod";
import { MAX_BREAKPOINTS, PromptCache } from "./cache";
import { buildMessage, errorBody, fitToMaxTokens, makeRequestId, pickStep } from "./reply";
import { describeIssues, MessagesRequestSchema, ScriptSchema, type Script, type ScriptInput, type Step } from "./script";
import { pause, streamEvents, withFault, writeEvents } from "./sse";
import { countBreakpoints, promptBlocks, sumTokens } from "./tokens";

export interface RecordedRequest {
  headers: Record<string, string>;
  body: unknown;
  at: number;
  /** The HTTP status answered (200 also for a stream that then failed). */
  status?: number;
  /** The stub's estimate of the whole prompt, as checked against the window. */
  promptTokens?: number;
  /** The usage the answer reported, so tests and benchmarks can compute the cache-read share. */
  usage?: Usage;
  /** For a refused request: "type: message", as in the error body. */
  error?: string;
}

export interface ModelStub {
  url: string;
  port: number;
  /** Tokens a request may use (prompt + max_tokens) before `prompt is too long`. */
  contextTokens: number;
  addScript(s: ScriptInput): void;
  requests: RecordedRequest[];
  /** Forgets every cached prefix, as if the TTL had passed. */
  clearCache(): void;
  close(): Promise<void>;
}

export interface ModelStubOptions {
  port?: number;
  host?: string;
  scripts?: ScriptInput[];
  /** Default: MODELSTUB_CONTEXT_TOKENS, else 200000. */
  contextTokens?: number;
  /** The clock of the prompt cache's TTL, so tests can move time on. */
  now?: () => number;
}

interface StubState {
  scripts: Script[];
  requests: RecordedRequest[];
  contextTokens: number;
  cache: PromptCache;
  /** How often each step with `failTimes` has failed so far. */
  failures: WeakMap<Step, number>;
}

const DEFAULT_CONTEXT_TOKENS = 200_000;
const ContextTokensEnv = z.coerce.number().int().positive().optional();

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId = makeRequestId(),
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "request-id": requestId,
    ...headers,
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
  const requestId = makeRequestId();
  sendJson(res, status, errorBody(type, message, requestId), requestId, headers);
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

// Whether this call of the step fails: always when it has a fault, or its first `failTimes` calls.
function takeFault(step: Step, state: StubState): boolean {
  if (!step.error && !step.midStream) return false;
  if (step.failTimes === undefined) return true;
  const failed = state.failures.get(step) ?? 0;
  if (failed >= step.failTimes) return false;
  state.failures.set(step, failed + 1);
  return true;
}

async function handleMessages(req: IncomingMessage, res: ServerResponse, state: StubState): Promise<void> {
  const raw = await readBody(req);
  const json = parseJson(raw);
  const record: RecordedRequest = { headers: lowerCaseHeaders(req), body: json.ok ? json.value : raw, at: Date.now() };
  state.requests.push(record);
  const fail = (status: number, type: string, message: string, headers?: Record<string, string>) => {
    record.status = status;
    record.error = `${type}: ${message}`;
    sendError(res, status, type, message, headers);
  };
  if (!json.ok) return fail(400, "invalid_request_error", "The request body is not valid JSON.");
  const parsed = MessagesRequestSchema.safeParse(json.value);
  if (!parsed.success) return fail(400, "invalid_request_error", describeIssues(parsed.error));

  // Validation comes before any scripted behaviour, as the API refuses a bad request outright.
  const request = parsed.data;
  const blocks = promptBlocks(request);
  const breakpoints = countBreakpoints(blocks);
  if (breakpoints > MAX_BREAKPOINTS) {
    return fail(400, "invalid_request_error", `A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints}.`);
  }
  const promptTokens = sumTokens(blocks);
  record.promptTokens = promptTokens;
  const needed = promptTokens > state.contextTokens ? promptTokens : promptTokens + request.max_tokens;
  if (needed > state.contextTokens) {
    return fail(400, "invalid_request_error", `prompt is too long: ${needed} tokens > ${state.contextTokens} maximum`);
  }

  const picked = pickStep(state.scripts, request);
  const step = fitToMaxTokens(picked, request.max_tokens);
  const signal = disconnectSignal(res);
  if (!(await pause(step.delayMs ?? 0, signal))) return;
  const faulty = takeFault(picked, state);
  if (faulty && step.error) {
    const { status, type, message, retryAfterS } = step.error;
    return fail(status, type, message, retryAfterS === undefined ? {} : { "retry-after": String(retryAfterS) });
  }

  const message = buildMessage(step, request, state.cache.account(request.model, blocks));
  record.status = 200;
  record.usage = message.usage;
  const fault = faulty ? step.midStream : undefined;
  if (fault) record.error = fault.kind === "error" ? `${fault.type}: ${fault.message} (mid-stream)` : "connection dropped mid-stream";
  if (!request.stream) {
    if (fault?.kind === "disconnect") return void res.socket?.destroy();
    if (fault) return fail(fault.type === "overloaded_error" ? 529 : 500, fault.type, fault.message);
    return sendJson(res, 200, message);
  }
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    connection: "keep-alive",
    "request-id": makeRequestId(),
  });
  const events = streamEvents(message, step);
  await writeEvents(res, fault ? withFault(events, fault) : events, signal);
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
    case "DELETE /__cache":
      state.cache.clear();
      return sendJson(res, 200, { ok: true });
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
  const fromEnv = ContextTokensEnv.parse(process.env.MODELSTUB_CONTEXT_TOKENS || undefined);
  const state: StubState = {
    scripts: (opts.scripts ?? []).map((s) => ScriptSchema.parse(s)),
    requests: [],
    contextTokens: opts.contextTokens ?? fromEnv ?? DEFAULT_CONTEXT_TOKENS,
    cache: new PromptCache(opts.now),
    failures: new WeakMap(),
  };
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
    contextTokens: state.contextTokens,
    requests: state.requests,
    addScript(script: ScriptInput) {
      state.scripts.push(ScriptSchema.parse(script));
    },
    clearCache() {
      state.cache.clear();
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
