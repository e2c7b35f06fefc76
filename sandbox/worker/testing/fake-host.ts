// A test stand-in for the Dockside host's side of the worker channel: an HTTP server on a Unix
// socket serving config, events (dedup by wid; only the types a worker may send), commands (long
// poll; ops delivered until reported), checkpoint bundles, op reports, permissions (configurable)
// and approvals (recorded by callId, pending until the test decides; long poll), the setup phase (plan,
// environment snapshots both ways, setup done), and /v1/messages proxied to the model stub the
// way the gateway does (it swaps in the API key).
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import {
  SetupDoneSchema,
  WorkerEventBatchSchema,
  WorkspaceOpResultSchema,
  type SetupDone,
  type SetupPlan,
  type WorkerCommand,
  type WorkerConfig,
  type WorkspaceOpResult,
} from "../../../lib/protocol/worker";
import {
  ApprovalRequestSchema,
  EMPTY_HOOKS,
  EMPTY_RULES,
  type ApprovalRequest,
  type WorkerApprovalState,
  type WorkerPermissions,
} from "../../../lib/protocol/permissions";
import { RemoteMcpCallSchema, type RemoteMcpCall, type RemoteMcpResult, type RemoteMcpTools } from "../../../lib/protocol/mcp";
import { WORKER_EVENT_TYPES, type WorkerEvent } from "../outbox";


export type OpCommand = Extract<WorkerCommand, { kind: "op" }>;
export type Checkpoint = { sha: string; bundle: Buffer; contentType: string; eventsBefore: number };
export type EnvironmentUpload = { key: string; ms: number; body: Buffer; contentType: string; eventsBefore: number };

/** An approval the worker asked for: one per callId, however many times it was POSTed. */
/** `eventsBefore`: the events stored when it was first asked for (the host appends the request after them). */
export type FakeApproval = { id: string; request: ApprovalRequest; state: WorkerApprovalState; posts: number; eventsBefore: WorkerEvent[] };

export const DEFAULT_PERMISSIONS: WorkerPermissions = { mode: "auto", rules: EMPTY_RULES, hooks: EMPTY_HOOKS };

export type FakeHost = {
  socketPath: string;
  /** Stored events in arrival order (each wid once). */
  events: WorkerEvent[];
  /** Every wid received, duplicates included. */
  received: number[];
  /** Checkpoint bundles received, in order (resends included). */
  checkpoints: Checkpoint[];
  /** Op reports received, by op id (the last one wins), with how many events were stored by then. */
  opResults: Map<string, WorkspaceOpResult & { eventsBefore: number }>;
  /** While on, event batches are answered 503 and nothing is stored (the worker keeps them). */
  holdEvents(on: boolean): void;
  /** Answer the next checkpoint uploads with this status instead of 200 (null: accept). */
  refuseCheckpoints(status: number | null, message?: string): void;
  /** What GET /worker/setup answers; null: 404, as a host older than setups. Default: none. */
  setSetupPlan(plan: SetupPlan | null): void;
  /** How many times the plan was asked for. */
  planRequests: () => number;
  /** The snapshot GET /worker/environment serves (null: 404). */
  setEnvironment(tar: Buffer | null): void;
  /** Snapshots POSTed to /worker/environment and accepted, in order. */
  environments: EnvironmentUpload[];
  /** Answer snapshot uploads with this status at their first bytes, then drop the connection (null: accept). */
  refuseEnvironments(status: number | null, message?: string): void;
  /** POST /worker/setup/done reports, in order, with how many events were stored by then. */
  setupDone: (SetupDone & { eventsBefore: number })[];
  /** What GET /worker/permissions answers (null: 404, as a host older than permissions). Default: auto, no rules, no hooks. */
  setPermissions(perms: WorkerPermissions | null): void;
  permissions(): WorkerPermissions | null;
  /** How many times the permissions were asked for. */
  permissionRequests: () => number;
  /** Approvals asked for (POST /worker/approvals), in order; each stays pending until `decide`. */
  approvals: FakeApproval[];
  /** Decides the approval of `callId`; an approved plan with a mode switches the session to it, as the host does. */
  decide(callId: string, decision: { status: "approved" | "denied" | "cancelled"; message?: string; mode?: WorkerPermissions["mode"] }): void;
  sendMessage(text: string): number;
  /** Queues a workspace op, delivered with every poll until reported. */
  sendOp(op: Omit<OpCommand, "kind">): void;
  interrupt(): void;
  waitFor(pred: (events: WorkerEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  /** Goes away for `downMs` (socket gone, connections cut) and comes back with its data. */
  restart(downMs: number): Promise<void>;
  close(): Promise<void>;
};

/** The host's remote MCP routes (lib/protocol/mcp.ts): what GET /worker/mcp/remote lists and how a call is answered. */
export type FakeMcp = { remote: RemoteMcpTools; call(call: RemoteMcpCall): RemoteMcpResult; calls: RemoteMcpCall[] };

export async function startFakeHost(opts: { dir: string; config: WorkerConfig; modelUrl: string; setupPlan?: SetupPlan | null; mcp?: FakeMcp }): Promise<FakeHost> {
  const socketPath = path.join(opts.dir, "host.sock");
  const events: WorkerEvent[] = [];
  const received: number[] = [];
  const commands: (WorkerCommand & { delivered?: boolean })[] = [];
  const checkpoints: Checkpoint[] = [];
  const opResults = new Map<string, WorkspaceOpResult & { eventsBefore: number }>();
  let refusal: { status: number; message: string } | null = null;
  let setupPlan: SetupPlan | null = opts.setupPlan === undefined ? { run: "none" } : opts.setupPlan;
  let planRequests = 0;
  let environment: Buffer | null = null;
  let envRefusal: { status: number; message: string } | null = null;
  const environments: EnvironmentUpload[] = [];
  const setupDone: (SetupDone & { eventsBefore: number })[] = [];
  let holding = false;
  let permissions: WorkerPermissions | null = DEFAULT_PERMISSIONS;
  let permissionRequests = 0;
  const approvals: FakeApproval[] = [];
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
    commands.filter((c) => {
      if (c.kind === "interrupt") return !c.delivered;
      if (c.kind === "op") return !opResults.has(c.id);
      return c.seq > after;
    });

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://host");
    const route = `${req.method} ${url.pathname}`;
    if (route === "GET /worker/config") return json(res, 200, opts.config);
    if (route === "POST /worker/events") {
      if (holding) return json(res, 503, { error: "held by the test" });
      const batch = WorkerEventBatchSchema.safeParse(JSON.parse((await readBody(req)).toString("utf8")));
      if (!batch.success) return json(res, 422, { error: batch.error.message });
      const forbidden = (batch.data.events as WorkerEvent[]).find((e) => !WORKER_EVENT_TYPES.has(e.type));
      if (forbidden) return json(res, 422, { error: `a worker may not send ${forbidden.type} events` });
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
    if (route === "POST /worker/checkpoint") {
      const sha = url.searchParams.get("sha") ?? "";
      const bundle = await readBody(req);
      if (refusal) return json(res, refusal.status, { error: refusal.message });
      if (!/^[0-9a-f]{40}$/.test(sha)) return json(res, 422, { error: "bad sha" });
      checkpoints.push({ sha, bundle, contentType: req.headers["content-type"] ?? "", eventsBefore: events.length });
      changed();
      return json(res, 200, { ok: true });
    }
    const op = /^POST \/worker\/ops\/([^/]+)$/.exec(route);
    if (op) {
      const result = WorkspaceOpResultSchema.safeParse(JSON.parse((await readBody(req)).toString("utf8")));
      if (!result.success) return json(res, 422, { error: result.error.message });
      opResults.set(decodeURIComponent(op[1]), { ...result.data, eventsBefore: events.length });
      changed();
      return json(res, 200, { ok: true });
    }
    if (opts.mcp && route === "GET /worker/mcp/remote") return json(res, 200, opts.mcp.remote);
    if (opts.mcp && route === "POST /worker/mcp/call") {
      const call = RemoteMcpCallSchema.safeParse(JSON.parse((await readBody(req)).toString("utf8")));
      if (!call.success) return json(res, 422, { error: call.error.message });
      opts.mcp.calls.push(call.data);
      return json(res, 200, opts.mcp.call(call.data));
    }
    if (route === "GET /worker/permissions") {
      permissionRequests++;
      return permissions ? json(res, 200, permissions) : json(res, 404, { error: `no route ${route}` });
    }
    if (route === "POST /worker/approvals") {
      const request = ApprovalRequestSchema.safeParse(JSON.parse((await readBody(req)).toString("utf8")));
      if (!request.success) return json(res, 422, { error: request.error.message });
      let approval = approvals.find((a) => a.request.callId === request.data.callId);
      if (!approval) {
        const id = `ap-${approvals.length + 1}`;
        approval = { id, request: request.data, state: { id, status: "pending" }, posts: 0, eventsBefore: [...events] };
        approvals.push(approval);
      }
      approval.posts++;
      changed();
      return json(res, 200, approval.state);
    }
    const ap = /^GET \/worker\/approvals\/([^/]+)$/.exec(route);
    if (ap) {
      const approval = approvals.find((a) => a.id === decodeURIComponent(ap[1]));
      if (!approval) return json(res, 404, { error: "no such approval" });
      const deadline = Date.now() + Math.min(30, Number(url.searchParams.get("wait") ?? 0)) * 1000;
      while (approval.state.status === "pending" && Date.now() < deadline && !res.destroyed) {
        await new Promise<void>((resolve) => {
          listeners.push(resolve);
          setTimeout(resolve, Math.max(0, deadline - Date.now()));
        });
      }
      return json(res, 200, approval.state);
    }
    if (route === "GET /worker/setup") {
      planRequests++;
      return setupPlan ? json(res, 200, setupPlan) : json(res, 404, { error: `no route ${route}` });
    }
    if (route === "GET /worker/environment") {
      if (!environment) return json(res, 404, { error: "no cached environment" });
      res.writeHead(200, { "content-type": "application/x-tar", "content-length": environment.length });
      return res.end(environment);
    }
    if (route === "POST /worker/environment") {
      if (envRefusal) {
        // As the host does past its size limit: answer at the first bytes and drop the connection.
        await new Promise((resolve) => (req.once("data", resolve), req.once("end", resolve)));
        req.pause();
        res.writeHead(envRefusal.status, { "content-type": "application/json", connection: "close" });
        res.end(JSON.stringify({ error: envRefusal.message }));
        res.once("finish", () => req.socket.destroySoon());
        return;
      }
      const body = await readBody(req);
      const key = url.searchParams.get("key") ?? "";
      const ms = Number(url.searchParams.get("ms"));
      if (!/^[0-9a-f]{64}$/.test(key) || !Number.isInteger(ms) || ms < 0) return json(res, 422, { error: "bad key or ms" });
      environments.push({ key, ms, body, contentType: req.headers["content-type"] ?? "", eventsBefore: events.length });
      changed();
      return json(res, 200, { ok: true });
    }
    if (route === "POST /worker/setup/done") {
      const done = SetupDoneSchema.safeParse(JSON.parse((await readBody(req)).toString("utf8")));
      if (!done.success) return json(res, 422, { error: done.error.message });
      setupDone.push({ ...done.data, eventsBefore: events.length });
      changed();
      return json(res, 200, { ok: true });
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
    checkpoints,
    opResults,
    holdEvents(on) {
      holding = on;
    },
    refuseCheckpoints(status, message = "refused") {
      refusal = status === null ? null : { status, message };
    },
    setSetupPlan(plan) {
      setupPlan = plan;
    },
    planRequests: () => planRequests,
    setEnvironment(tar) {
      environment = tar;
    },
    environments,
    refuseEnvironments(status, message = "refused") {
      envRefusal = status === null ? null : { status, message };
    },
    setupDone,
    setPermissions(perms) {
      permissions = perms;
    },
    permissions: () => permissions,
    permissionRequests: () => permissionRequests,
    approvals,
    decide(callId, decision) {
      const approval = approvals.find((a) => a.request.callId === callId);
      if (!approval) throw new Error(`no approval was asked for ${callId}`);
      approval.state = { id: approval.id, status: decision.status, ...(decision.message ? { message: decision.message } : {}) };
      if (approval.request.kind === "plan" && decision.status === "approved") {
        const mode = decision.mode ?? "ask";
        approval.state.mode = mode;
        if (permissions) permissions = { ...permissions, mode };
      }
      changed();
    },
    sendOp(op) {
      commands.push({ kind: "op", ...op });
      changed();
    },
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
