// The worker channel's routes, one table. Every request comes from a sandbox and is treated as
// hostile: bodies are bounded before they are read, everything is validated, and errors answer
// with a status and a message for the worker's log, never a stack.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { z } from "zod";
import { env } from "../config/env";
import { isAppError } from "../errors";
import type { SetupDone, SetupPlan } from "../protocol/worker";
import { SetupDoneSchema, WORKER_LIMITS, WorkerEventBatchSchema, WorkspaceOpResultSchema, type WorkerCommand, type WorkerConfig, type WorkerEventBatch, type WorkspaceOpResult } from "../protocol/worker";
import { ApprovalRequestSchema, type ApprovalRequest, type WorkerApprovalState, type WorkerPermissions } from "../protocol/permissions";
import { RecallRequestSchema, RememberRequestSchema, type RecallRequest, type RecallResult, type RememberRequest, type RememberResult } from "../protocol/memory";
import { ReportRequestSchema, type ReportRequest } from "../protocol/routines";
import { BodyTooLarge, bodyToFile, readBody, send } from "./channel-http";
import { MCP_ROUTES } from "./mcp-routes";

export interface ChannelHandlers {
  config(): WorkerConfig;
  /** Takes `events` events and `bytes` bytes from the session's rate: 0 when taken, else seconds to wait. */
  rate(events: number, bytes: number): number;
  /** Stores what may be stored of a batch; resolves to the worker ack. Throws AppError (409) on a wid gap. */
  events(batch: WorkerEventBatch["events"]): Promise<number>;
  /** Commands after `after`; waits up to `waitS` seconds for one when there are none. */
  commands(after: number, waitS: number, signal: AbortSignal): Promise<WorkerCommand[]>;
  /** Host-only directory for uploads (sessions/<id>/tmp). */
  tmpDir: string;
  /** A checkpoint bundle the worker uploaded, now in a host-only file. */
  checkpoint(sha: string, file: string): Promise<void>;
  opDone(id: string, result: WorkspaceOpResult): Promise<void>;
  /** POST /v1/messages through the session's gateway. */
  model(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** GET /worker/setup: what the worker does before the first turn. */
  setupPlan(): Promise<SetupPlan>;
  /** GET /worker/environment: the host path of the snapshot tar to stream, or null (404). */
  environmentFile(): Promise<string | null>;
  /** POST /worker/environment?key=: a snapshot the worker uploaded, now in a host-only file (moved or deleted by the callee). */
  environmentUploaded(key: string, setupMs: number, file: string): Promise<void>;
  /** POST /worker/setup/done. */
  setupDone(done: SetupDone): Promise<void>;
  /** GET /worker/permissions: mode, rules (team's and repository's) and hooks. */
  permissions(): Promise<WorkerPermissions>;
  /** POST /worker/approvals: stores the request (idempotent by callId) and answers its state. */
  requestApproval(req: ApprovalRequest): Promise<WorkerApprovalState>;
  /** GET /worker/approvals/:id: this session's approval, once decided or after `waitS` seconds. */
  approval(id: string, waitS: number, signal: AbortSignal): Promise<WorkerApprovalState>;
  /** POST /worker/memory: the agent's `remember` (a proposed entry). AppError "invalid" (422) when refused (a secret). */
  remember(req: RememberRequest): Promise<RememberResult>;
  /** POST /worker/recall: the agent's `recall`. */
  recall(req: RecallRequest): Promise<RecallResult>;
  /** POST /worker/report: a check routine's verdict. */
  report(req: ReportRequest): Promise<void>;
  /** Told each request as it arrives (`GET /worker/config`), for the start's timing (lib/sandbox/start-steps.ts). */
  seen?(request: string): void;
}

type Ctx = { req: IncomingMessage; res: ServerResponse; url: URL; params: string[]; h: ChannelHandlers };
type Route = { method: "GET" | "POST"; path: RegExp; handle: (c: Ctx) => Promise<void> };

const CommandsQuery = z.strictObject({ after: z.coerce.number().int().min(0), wait: z.coerce.number().min(0).max(30).default(0) });
const CheckpointQuery = z.strictObject({ sha: z.string().regex(/^[0-9a-f]{40}$/) });
const EnvironmentQuery = z.strictObject({ key: z.string().regex(/^[0-9a-f]{64}$/), ms: z.coerce.number().int().min(0).max(2 ** 31 - 1) });
const OpId = z.uuid();
const ApprovalQuery = z.strictObject({ wait: z.coerce.number().min(0).max(30).default(0) });
const SMALL_BODY = 64 * 1024;
/** A tool call's input is at most 256 KB of JSON (WORKER_LIMITS.toolInputBytes), plus the reason. */
const APPROVAL_BODY = 300 * 1024;

const ROUTES: Route[] = [
  { method: "GET", path: /^\/worker\/config$/, handle: async ({ res, h }) => send(res, 200, h.config()) },
  { method: "POST", path: /^\/worker\/events$/, handle: postEvents },
  { method: "GET", path: /^\/worker\/commands$/, handle: getCommands },
  { method: "POST", path: /^\/worker\/checkpoint$/, handle: postCheckpoint },
  { method: "POST", path: /^\/worker\/ops\/([^/]{1,100})$/, handle: postOp },
  { method: "GET", path: /^\/worker\/setup$/, handle: async ({ res, h }) => send(res, 200, await h.setupPlan()) },
  { method: "GET", path: /^\/worker\/environment$/, handle: getEnvironment },
  { method: "POST", path: /^\/worker\/environment$/, handle: postEnvironment },
  { method: "POST", path: /^\/worker\/setup\/done$/, handle: postSetupDone },
  { method: "GET", path: /^\/worker\/permissions$/, handle: async ({ res, h }) => send(res, 200, await h.permissions()) },
  { method: "POST", path: /^\/worker\/approvals$/, handle: postApproval },
  { method: "GET", path: /^\/worker\/approvals\/([^/]{1,100})$/, handle: getApproval },
  { method: "POST", path: /^\/worker\/memory$/, handle: (c) => postJson(c, RememberRequestSchema, (b) => c.h.remember(b)) },
  { method: "POST", path: /^\/worker\/recall$/, handle: (c) => postJson(c, RecallRequestSchema, (b) => c.h.recall(b)) },
  { method: "POST", path: /^\/worker\/report$/, handle: (c) => postJson(c, ReportRequestSchema, async (b) => (await c.h.report(b), { ok: true })) },
  { method: "POST", path: /^\/v1\/messages$/, handle: async ({ req, res, h }) => h.model(req, res) },
  ...MCP_ROUTES,
];

/** Serves one request from the worker. */
export async function route(req: IncomingMessage, res: ServerResponse, h: ChannelHandlers): Promise<void> {
  const url = new URL(req.url ?? "/", "http://sandbox");
  h.seen?.(`${String(req.method).slice(0, 10)} ${url.pathname.slice(0, 200)}`);
  for (const r of ROUTES) {
    const m = r.method === req.method ? r.path.exec(url.pathname) : null;
    if (!m) continue;
    try {
      return await r.handle({ req, res, url, params: m.slice(1), h });
    } catch (err) {
      if (err instanceof BodyTooLarge) return send(res, 413, { error: err.message }, {}, true);
      if (isAppError(err)) return send(res, err.status, { error: err.message, ...err.details });
      throw err;
    }
  }
  send(res, 404, { error: `no such endpoint: ${String(req.method).slice(0, 10)} ${url.pathname.slice(0, 200)}` });
}

async function postEvents({ req, res, h }: Ctx): Promise<void> {
  const body = await readBody(req, WORKER_LIMITS.batchBodyBytes);
  // Bytes before parsing (parsing is the cost), events once they are counted.
  const waitBytes = h.rate(0, body.length);
  if (waitBytes) return tooFast(res, waitBytes);
  const json = parseJson(body);
  if (json === undefined) return send(res, 400, { error: "the body is not JSON" });
  const batch = WorkerEventBatchSchema.safeParse(json);
  if (!batch.success) return send(res, 422, { error: z.prettifyError(batch.error).slice(0, 2000) });
  const waitEvents = h.rate(batch.data.events.length, 0);
  if (waitEvents) return tooFast(res, waitEvents);
  send(res, 200, { ack: await h.events(batch.data.events) });
}

async function getCommands({ res, url, h }: Ctx): Promise<void> {
  const q = CommandsQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!q.success) return send(res, 422, { error: z.prettifyError(q.error) });
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  const commands = await h.commands(q.data.after, q.data.wait, abort.signal);
  if (!res.destroyed) send(res, 200, { commands });
}

// One upload at a time per channel: each costs a file of up to DOCKSIDE_CHECKPOINT_MAX_MB (or
// DOCKSIDE_ENV_SNAPSHOT_MAX_MB) and a git fetch or a move into the cache.
const uploading = new WeakSet<ChannelHandlers>();

async function postCheckpoint(c: Ctx): Promise<void> {
  const q = CheckpointQuery.safeParse(Object.fromEntries(c.url.searchParams));
  if (!q.success) return send(c.res, 422, { error: "sha must be a full commit id (40 lowercase hex digits)" });
  await oneUpload(c, "checkpoint", env().DOCKSIDE_CHECKPOINT_MAX_MB, (file) => c.h.checkpoint(q.data.sha, file));
}

async function postEnvironment(c: Ctx): Promise<void> {
  const q = EnvironmentQuery.safeParse(Object.fromEntries(c.url.searchParams));
  if (!q.success) return send(c.res, 422, { error: "key must be the setup plan's key (64 lowercase hex digits) and ms the setup's duration in whole milliseconds" });
  await oneUpload(c, "environment", env().DOCKSIDE_ENV_SNAPSHOT_MAX_MB, (file) => c.h.environmentUploaded(q.data.key, q.data.ms, file));
}

async function oneUpload(c: Ctx, kind: "checkpoint" | "environment", maxMb: number, take: (file: string) => Promise<void>): Promise<void> {
  if (uploading.has(c.h)) return send(c.res, 429, { error: `an upload is already in progress; send the ${kind} when it is done` }, { "retry-after": "1" }, true);
  uploading.add(c.h);
  try {
    await receiveUpload(c, kind, maxMb * 1024 * 1024, take);
  } finally {
    uploading.delete(c.h);
  }
}

/** Streams the body into a new host-only file, hands it to `take` (which may move it) and removes what is left. */
async function receiveUpload({ req, res, h }: Ctx, kind: "checkpoint" | "environment", limit: number, take: (file: string) => Promise<void>): Promise<void> {
  const file = path.join(privateDir(h.tmpDir), `${kind}-${randomUUID()}${kind === "checkpoint" ? ".bundle" : ".tar"}`);
  // O_EXCL | O_NOFOLLOW: a new file of ours, never whatever a name points at.
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  let open = true;
  try {
    await bodyToFile(req, fd, limit);
    fs.closeSync(fd);
    open = false;
    await take(file);
  } finally {
    if (open) fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  send(res, 200, { ok: true });
}

/** Streams the cached environment the plan named; the worker unpacks it inside the sandbox, never the host. */
async function getEnvironment({ res, h }: Ctx): Promise<void> {
  const file = await h.environmentFile();
  if (!file) return send(res, 404, { error: "this session's setup plan has no cached environment to restore" });
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    // Evicted since the plan was made: the worker runs the script instead.
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return send(res, 404, { error: "the cached environment is gone (evicted); run the setup script" });
    throw err;
  }
  const stream = fs.createReadStream("", { fd, autoClose: true });
  const st = fs.fstatSync(fd);
  if (!st.isFile()) {
    stream.destroy();
    return send(res, 404, { error: "the cached environment is not a file" });
  }
  res.writeHead(200, { "content-type": "application/x-tar", "content-length": String(st.size) });
  try {
    // A worker that hangs up mid-way closes the response: pipeline then closes the file too.
    await pipeline(stream, res);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ERR_STREAM_PREMATURE_CLOSE") console.warn(`[channel] streaming ${path.basename(file)}: ${(err as Error).message}`);
    res.destroy();
  }
}

async function postSetupDone({ req, res, h }: Ctx): Promise<void> {
  const done = SetupDoneSchema.safeParse(parseJson(await readBody(req, SMALL_BODY)));
  if (!done.success) return send(res, 422, { error: z.prettifyError(done.error).slice(0, 2000) });
  await h.setupDone(done.data);
  send(res, 200, { ok: true });
}

async function postApproval(c: Ctx): Promise<void> {
  const request = checkedBody(c, await readBody(c.req, APPROVAL_BODY), ApprovalRequestSchema);
  if (request) send(c.res, 200, await c.h.requestApproval(request.data));
}

/** A small JSON body checked by `schema`, answered with what `act` returns (AppErrors map to their status by the caller). */
async function postJson<S extends z.ZodType>(c: Ctx, schema: S, act: (body: z.infer<S>) => Promise<unknown>): Promise<void> {
  const raw = await readBody(c.req, SMALL_BODY);
  // Each call counts like an event against the session's rate (the worker waits out a 429 and retries).
  const wait = c.h.rate(1, raw.length);
  if (wait) return tooFast(c.res, wait);
  const body = checkedBody(c, raw, schema);
  if (body) send(c.res, 200, await act(body.data));
}

/** The body as JSON fitting `schema`; otherwise answered 400 (not JSON) or 422 (the schema's words) and null. */
function checkedBody<S extends z.ZodType>({ res }: Ctx, raw: Buffer, schema: S): { data: z.infer<S> } | null {
  const json = parseJson(raw);
  if (json === undefined) {
    send(res, 400, { error: "the body is not JSON" });
    return null;
  }
  const body = schema.safeParse(json);
  if (!body.success) {
    send(res, 422, { error: z.prettifyError(body.error).slice(0, 2000) });
    return null;
  }
  return { data: body.data };
}

async function getApproval({ res, url, params, h }: Ctx): Promise<void> {
  const id = OpId.safeParse(params[0]);
  if (!id.success) return send(res, 404, { error: "no such approval in this session" });
  const q = ApprovalQuery.safeParse(Object.fromEntries(url.searchParams));
  if (!q.success) return send(res, 422, { error: "wait must be a number of seconds from 0 to 30" });
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  const state = await h.approval(id.data, q.data.wait, abort.signal);
  if (!res.destroyed) send(res, 200, state);
}

async function postOp({ req, res, params, h }: Ctx): Promise<void> {
  const id = OpId.safeParse(params[0]);
  if (!id.success) return send(res, 404, { error: "no such workspace op" });
  const json = parseJson(await readBody(req, SMALL_BODY));
  const result = WorkspaceOpResultSchema.safeParse(json);
  if (!result.success) return send(res, 422, { error: z.prettifyError(result.error).slice(0, 2000) });
  await h.opDone(id.data, result.data);
  send(res, 200, { ok: true });
}

/** `dir`, created 0700 when missing; refused unless it is a real directory of ours that nobody else can enter. */
function privateDir(dir: string): string {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || st.uid !== (process.getuid?.() ?? 0) || (st.mode & 0o077) !== 0) {
    throw new Error(`${dir} is not a private directory of the Dockside host`);
  }
  return dir;
}

function tooFast(res: ServerResponse, waitS: number): void {
  const s = Number.isFinite(waitS) ? waitS : 60;
  send(res, 429, { error: `too many events from this session: retry in ${s} s` }, { "retry-after": String(s) });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}
