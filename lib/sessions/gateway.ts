// The model gateway: the only way a sandbox reaches the model. It checks each request against
// what the session may use (gateway-policy.ts), limits its rate, adds the API key (which never
// enters a container), forwards the re-serialized request to ANTHROPIC_BASE_URL, streams the
// answer back unchanged and counts the tokens it carried and what they cost (usage events come
// only from here). Budgets are checked before each call is forwarded (budget.ts): the call in
// flight when one is reached finishes, the next is refused. The check counts usage still being
// stored from memory (the journal), so no call waits for the previous call's write, and decides
// from a recent snapshot when that is certain (gateway-budget-gate.ts); a database read, when one
// is needed, overlaps the body's arrival. The lease holder is a session's only gateway.
import type { IncomingMessage, ServerResponse } from "node:http";
import { env } from "../config/env";
import { isDatabaseUnavailable } from "../db/unavailable";
import type { NewEvent } from "../events/schema";
import type { BudgetCheck } from "./budget";
import { BudgetGate } from "./gateway-budget-gate";
import { BodyTooLarge, readBody } from "./channel-http";
import { checkRequest, refusedBetas, type GatewayRequest } from "./gateway-policy";
import { postUpstream } from "./gateway-upstream";
import { UsageMeter } from "./gateway-usage";
import { TokenBucket } from "./token-bucket";
import { pendingUsageDir, replayPendingUsage, UsageJournal } from "./usage-journal";

const DEFAULT_BASE = "https://api.anthropic.com";
const MAX_CONCURRENT = 2;
const REFUSED = "Dockside refused this model request: ";
const DB_DOWN = "Dockside's database is unavailable for a moment (it is being restarted), so this call cannot be accounted for and was not forwarded; retry shortly";
const DB_RETRY_S = 5;

/** What the gateway needs of its session. */
export interface GatewaySession {
  /** The session's id (its budget is read from its row). */
  id: string;
  /** The session's own model (WorkerConfig.model). */
  model(): string;
  usage(event: NewEvent): Promise<void>;
  /** Appends an `error` event (source host) to the session's log. */
  note(message: string): Promise<void>;
  /** Called for every model request before anything else (the egress phase ends with setup). */
  onRequest?(): void;
}

type ErrorType = "invalid_request_error" | "rate_limit_error" | "request_too_large" | "api_error";
// api_error is the database outage: a 503 the worker waits out and retries (retry-after).
const STATUS: Record<ErrorType, number> = { invalid_request_error: 400, rate_limit_error: 429, request_too_large: 413, api_error: 503 };

/** One session's gateway: its rate limits live as long as its channel. */
export class Gateway {
  private active = 0;
  private readonly perMinute: TokenBucket;
  // Refusals are logged, but a loop of refused calls must not flood the log.
  private readonly notes = new TokenBucket(5, 1 / 30);

  // Usage is written ahead and kept through a database outage (usage-journal.ts). Its cost
  // counts toward the budget from the moment the answer ends, before it is stored.
  private readonly journal: UsageJournal;
  private readonly budget: BudgetGate;

  constructor(private readonly session: GatewaySession) {
    const rpm = env().DOCKSIDE_GATEWAY_RPM;
    this.perMinute = new TokenBucket(rpm, rpm / 60);
    const store = (event: NewEvent) => session.usage(event);
    this.journal = new UsageJournal(session.id, pendingUsageDir(env().dataDir, session.id), store);
    this.budget = new BudgetGate(session.id, () => this.journal.unrecorded());
    // Usage a previous Dockside kept on disk (it stopped during an outage) is stored now, once.
    void replayPendingUsage(env().dataDir, session.id, store).catch((err) => console.error(`[gateway] ${session.id}: pending usage`, err));
  }

  /** The usage journal (tests; the channel closes it with the session). */
  get usage(): UsageJournal {
    return this.journal;
  }

  /** Serves one POST /v1/messages. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.session.onRequest?.();
    if (this.active >= MAX_CONCURRENT) return this.refuse(res, "rate_limit_error", `at most ${MAX_CONCURRENT} model calls may run at once per session`, 1);
    const wait = this.perMinute.wait(1);
    if (wait > 0) return this.refuse(res, "rate_limit_error", `at most ${env().DOCKSIDE_GATEWAY_RPM} model calls per minute per session (DOCKSIDE_GATEWAY_RPM)`, wait);
    this.perMinute.take(1);
    this.active++;
    // Started now, awaited after the request's own checks: the database read overlaps the body.
    const budget = this.budget.check();
    budget.catch(() => {}); // awaited (and reported) in serve, unless the request is refused first
    try {
      await this.serve(req, res, budget);
    } finally {
      this.active--;
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse, budget: Promise<BudgetCheck>): Promise<void> {
    const e = env();
    const limit = e.DOCKSIDE_GATEWAY_MAX_BODY_MB * 1024 * 1024;
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (err) {
      if (err instanceof BodyTooLarge) return this.refuse(res, "request_too_large", `the request body is larger than ${e.DOCKSIDE_GATEWAY_MAX_BODY_MB} MB (DOCKSIDE_GATEWAY_MAX_BODY_MB)`);
      throw err;
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      return this.refuse(res, "invalid_request_error", "the body is not JSON");
    }
    const models = [this.session.model(), ...e.DOCKSIDE_MODELS.split(",").map((m) => m.trim()).filter(Boolean)];
    const checked = checkRequest(json, { models, maxOutputTokens: e.DOCKSIDE_MAX_OUTPUT_TOKENS });
    if (!checked.ok) return this.refuse(res, "invalid_request_error", checked.message);
    const betas = refusedBetas(req.headers["anthropic-beta"]);
    if (betas.length) return this.refuse(res, "invalid_request_error", `the anthropic-beta value ${betas.slice(0, 3).map((b) => JSON.stringify(b.slice(0, 80))).join(", ")} is not allowed`);
    // A budget refusal is no fault of the request: it says what was spent and how to go on.
    // Without the database the call could not be accounted for: never forwarded, retried later.
    let checkedBudget: BudgetCheck;
    try {
      checkedBudget = await budget;
    } catch (err) {
      if (isDatabaseUnavailable(err)) return this.refuse(res, "api_error", DB_DOWN, DB_RETRY_S, false, false);
      throw err;
    }
    if (checkedBudget.refusal) return this.refuse(res, "invalid_request_error", checkedBudget.refusal, undefined, false);
    const usage = await forward(checked.request, req, res);
    // Counted by the next check from here on (synchronously), stored in the background.
    if (!usage) return;
    this.budget.recorded((usage.data as { costUsd?: number }).costUsd ?? 0);
    void this.journal.record(usage, checkedBudget.lastSeq).catch((err) => console.error(`[gateway] ${this.session.id}: usage`, err));
  }

  private refuse(res: ServerResponse, type: ErrorType, why: string, retryAfterS?: number, prefixed = true, note = true): void {
    const message = prefixed ? REFUSED + why : why;
    const headers: Record<string, string> = retryAfterS ? { "retry-after": String(retryAfterS) } : {};
    if (type === "api_error") headers["x-should-retry"] = "true";
    apiError(res, STATUS[type], type, message, headers, type === "request_too_large");
    // A note is an event: it cannot be stored while the database is away.
    if (note && this.notes.wait(1) === 0) {
      this.notes.take(1);
      void this.session.note(message).catch((err) => console.error("[gateway] note", err));
    }
  }
}

/** Forwards a checked request; resolves with the usage event once the answer is complete. */
async function forward(request: GatewayRequest, req: IncomingMessage, res: ServerResponse): Promise<NewEvent | null> {
  const e = env();
  if (!e.ANTHROPIC_API_KEY && e.ANTHROPIC_BASE_URL.replace(/\/$/, "") === DEFAULT_BASE) {
    apiError(res, 401, "authentication_error", "No ANTHROPIC_API_KEY is configured on the Dockside host. Set it in the server's environment (or point ANTHROPIC_BASE_URL at a compatible endpoint), restart, and send a follow-up to retry.");
    return null;
  }
  // Headers are built, not copied: nothing the sandbox sets reaches the API but these.
  const version = req.headers["anthropic-version"];
  const beta = req.headers["anthropic-beta"];
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: request.stream ? "text/event-stream" : "application/json",
    "anthropic-version": typeof version === "string" && /^\d{4}-\d{2}-\d{2}$/.test(version) ? version : "2023-06-01",
  };
  const betas = (Array.isArray(beta) ? beta.join(",") : (beta ?? "")).split(",").map((b) => b.trim()).filter(Boolean);
  if (betas.length) headers["anthropic-beta"] = betas.join(",");
  if (e.ANTHROPIC_API_KEY) headers["x-api-key"] = e.ANTHROPIC_API_KEY;

  const abort = new AbortController();
  const onClose = () => abort.abort();
  res.on("close", onClose);
  let upstream: IncomingMessage;
  try {
    // The re-serialized request, never the raw bytes: a duplicate key read one way here and
    // another way upstream would slip past the checks.
    upstream = await postUpstream(new URL("/v1/messages", e.ANTHROPIC_BASE_URL), headers, JSON.stringify(request), abort.signal);
  } catch (err) {
    if (abort.signal.aborted) return null;
    apiError(res, 502, "api_error", `the Dockside host could not reach the model API at ${e.ANTHROPIC_BASE_URL}: ${(err as Error).message}`);
    return null;
  }
  const outHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(upstream.headers)) {
    if (typeof v !== "string") continue;
    if (["content-type", "request-id", "retry-after", "x-should-retry"].includes(k) || k.startsWith("anthropic-ratelimit")) outHeaders[k] = v;
  }
  const status = upstream.statusCode ?? 502;
  res.writeHead(status, outHeaders);
  const meter = new UsageMeter(request.model);
  const sse = (upstream.headers["content-type"] ?? "").includes("text/event-stream");
  try {
    for await (const chunk of upstream as AsyncIterable<Buffer>) {
      // Bytes first: the count is read after they are on their way.
      const drained = res.write(chunk);
      if (sse) meter.feedSse(chunk);
      else meter.feedJson(chunk);
      if (!drained) await new Promise((r) => res.once("drain", r));
    }
  } catch {
    // The worker went away (interrupt) or the upstream broke: the worker sees a cut stream.
  }
  // Done: the connection goes back to the pool, never aborted by the worker's later close.
  res.off("close", onClose);
  res.end();
  return status >= 200 && status < 300 ? meter.event() : null;
}

function apiError(res: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}, close = false): void {
  if (res.headersSent) return void res.destroy();
  const text = JSON.stringify({ type: "error", error: { type, message } });
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...(close ? { connection: "close" } : {}), ...headers });
  res.end(text);
  if (close) res.once("finish", () => res.req.socket?.destroySoon?.());
}
