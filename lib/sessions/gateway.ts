// The model gateway: the only way a sandbox reaches the model. It adds the API key (which never
// enters a container), forwards to ANTHROPIC_BASE_URL, streams the answer back unchanged and
// counts the tokens it carried. Budgets will be enforced here.
import type { IncomingMessage, ServerResponse } from "node:http";
import { env } from "../config/env";
import { ev, type NewEvent } from "../events/schema";

const DEFAULT_BASE = "https://api.anthropic.com";
const FORWARDED_HEADERS = ["content-type", "anthropic-version", "anthropic-beta", "accept"];

export interface GatewayResult {
  usage: NewEvent | null;
}

/** Proxies one POST /v1/messages; resolves with the usage event once the answer is complete. */
export async function forwardModelCall(body: Buffer, req: IncomingMessage, res: ServerResponse): Promise<GatewayResult> {
  const e = env();
  if (!e.ANTHROPIC_API_KEY && e.ANTHROPIC_BASE_URL.replace(/\/$/, "") === DEFAULT_BASE) {
    apiError(res, 401, "authentication_error", "No ANTHROPIC_API_KEY is configured on the Dockside host. Set it in the server's environment (or point ANTHROPIC_BASE_URL at a compatible endpoint), restart, and send a follow-up to retry.");
    return { usage: null };
  }
  const headers: Record<string, string> = {};
  for (const h of FORWARDED_HEADERS) {
    const v = req.headers[h];
    if (typeof v === "string") headers[h] = v;
  }
  headers["anthropic-version"] ??= "2023-06-01";
  if (e.ANTHROPIC_API_KEY) headers["x-api-key"] = e.ANTHROPIC_API_KEY;

  const abort = new AbortController();
  res.on("close", () => abort.abort());
  let upstream: Response;
  try {
    upstream = await fetch(new URL("/v1/messages", e.ANTHROPIC_BASE_URL), { method: "POST", headers, body: new Uint8Array(body), signal: abort.signal });
  } catch (err) {
    if (abort.signal.aborted) return { usage: null };
    apiError(res, 502, "api_error", `the Dockside host could not reach the model API at ${e.ANTHROPIC_BASE_URL}: ${(err as Error).message}`);
    return { usage: null };
  }
  const outHeaders: Record<string, string> = {};
  upstream.headers.forEach((v, k) => {
    if (["content-type", "request-id", "retry-after", "x-should-retry"].includes(k) || k.startsWith("anthropic-ratelimit")) outHeaders[k] = v;
  });
  res.writeHead(upstream.status, outHeaders);
  const meter = new UsageMeter(String(parseModel(body)));
  const sse = (upstream.headers.get("content-type") ?? "").includes("text/event-stream");
  try {
    for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) {
      if (sse) meter.feedSse(chunk);
      else meter.feedJson(chunk);
      if (!res.write(chunk)) await new Promise((r) => res.once("drain", r));
    }
  } catch {
    // The worker went away (interrupt) or the upstream broke: the worker sees a cut stream.
  }
  res.end();
  return { usage: upstream.ok ? meter.event() : null };
}

function parseModel(body: Buffer): string {
  try {
    return (JSON.parse(body.toString("utf8")) as { model?: string }).model ?? "unknown";
  } catch {
    return "unknown";
  }
}

function apiError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ type: "error", error: { type, message } }));
}

interface Usage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

/** Reads token counts from the SSE stream (message_start, message_delta) or a JSON answer. */
class UsageMeter {
  private buf = "";
  private json = "";
  private usage: Usage = {};
  private decoder = new TextDecoder();
  constructor(private model: string) {}

  feedSse(chunk: Uint8Array): void {
    this.buf += this.decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = this.buf.indexOf("\n")) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      if (!line.startsWith("data:")) continue;
      try {
        const msg = JSON.parse(line.slice(5)) as { type?: string; message?: { usage?: Usage; model?: string }; usage?: Usage };
        if (msg.type === "message_start" && msg.message?.usage) this.usage = { ...msg.message.usage };
        if (msg.type === "message_start" && msg.message?.model) this.model = msg.message.model;
        if (msg.type === "message_delta" && msg.usage) this.usage = { ...this.usage, ...msg.usage };
      } catch {
        // not JSON (a ping or a partial line): ignore
      }
    }
  }

  feedJson(chunk: Uint8Array): void {
    if (this.json.length < 4 * 1024 * 1024) this.json += this.decoder.decode(chunk, { stream: true });
  }

  event(): NewEvent | null {
    if (this.json) {
      try {
        const m = JSON.parse(this.json) as { usage?: Usage; model?: string };
        this.usage = m.usage ?? {};
        this.model = m.model ?? this.model;
      } catch {
        return null;
      }
    }
    const u = this.usage;
    if (u.input_tokens === undefined && u.output_tokens === undefined) return null;
    return ev("usage", {
      model: this.model,
      inputTokens: u.input_tokens ?? 0,
      outputTokens: u.output_tokens ?? 0,
      cacheReadTokens: u.cache_read_input_tokens ?? undefined,
      cacheWriteTokens: u.cache_creation_input_tokens ?? undefined,
    });
  }
}
