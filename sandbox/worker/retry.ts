// Which failed model calls are worth another try, and how long to wait first. The SDK's own
// retries are off (model.ts): every wait goes through here so the transcript shows it.
import Anthropic from "@anthropic-ai/sdk";
import { HostStreamClosed } from "./channel";

export type RetryPolicy = {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** First backoff when the answer says nothing; doubles each attempt. */
  baseMs: number;
  /** Longest backoff of our own. */
  maxBackoffMs: number;
  /** Longest wait a retry-after may ask for; a longer one ends the turn instead of hanging it. */
  maxWaitMs: number;
};

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseMs: 1000, maxBackoffMs: 30_000, maxWaitMs: 120_000 };

/** What a failure means for the loop: retry (after a wait) or stop, in words a person can act on. */
export type Failure = {
  retryable: boolean;
  /** "model overloaded (529)": what happened, short. */
  what: string;
  /** The API's or gateway's own message, when it sent one. */
  detail?: string;
  status?: number;
  retryAfterMs?: number;
  /** A 400 "prompt is too long": the conversation must shrink (compaction), not wait. */
  tooLong?: boolean;
};

/** HTTP statuses the API documents as transient; other 4xx are the request's (or the gateway's) fault. */
const RETRY_STATUS = new Set([408, 409, 429]);

export function classify(err: unknown): Failure {
  if (err instanceof Anthropic.APIConnectionError) return { retryable: true, what: "the connection to the model gateway was lost" };
  if (err instanceof HostStreamClosed) return { retryable: true, what: "the connection to the model gateway was lost mid-answer" };
  if (err instanceof Anthropic.APIError) return classifyApi(err);
  // The SDK's stream wraps what broke underneath (our HostStreamClosed, a socket error) in an
  // AnthropicError with the original as its cause.
  if (err instanceof Error && err.cause !== undefined && err.cause !== err) {
    const inner = classify(err.cause);
    if (inner.retryable) return inner;
  }
  // A stream that just stopped (no message_stop): the connection went away without an error.
  if (err instanceof Anthropic.AnthropicError && /stream ended without|request ended without sending|Unexpected event order/.test(err.message)) {
    return { retryable: true, what: "the model stream ended early" };
  }
  const code = (err as NodeJS.ErrnoException | null)?.code;
  // Node's own socket errors while the body streams (the host restarted).
  if (code && /^(ECONNRESET|ECONNREFUSED|EPIPE|ENOENT|ETIMEDOUT|UND_ERR_SOCKET|ERR_STREAM_PREMATURE_CLOSE)$/.test(code)) {
    return { retryable: true, what: "the connection to the model gateway was lost" };
  }
  return { retryable: false, what: "the model call failed", detail: err instanceof Error ? err.message : String(err) };
}

function classifyApi(err: InstanceType<typeof Anthropic.APIError>): Failure {
  const status = err.status;
  const type = err.type ?? undefined;
  const detail = err.apiMessage ?? undefined;
  const retryAfterMs = retryAfter(err.headers);
  const shouldRetry = err.headers?.get("x-should-retry");
  // A mid-stream `error` event has no status of its own: its type says what it is.
  if (status === undefined) {
    if (type === "overloaded_error") return { retryable: true, what: "model overloaded (stream error)", detail };
    if (type === "rate_limit_error") return { retryable: true, what: "rate limited (stream error)", detail };
    if (type === "api_error" || type === "timeout_error") return { retryable: true, what: `model API error (${type} in the stream)`, detail };
    return { retryable: false, what: `the model stream failed${type ? ` (${type})` : ""}`, detail: detail ?? err.message };
  }
  if (status === 400 && /prompt is too long/i.test(detail ?? err.message)) return { retryable: false, tooLong: true, what: "prompt is too long", status, detail };
  const what = status === 529 || type === "overloaded_error" ? `model overloaded (${status})` : status === 429 ? "rate limited (429)" : status >= 500 ? `model API error (${status})` : `refused (${status})`;
  const retryable = shouldRetry === "false" ? false : shouldRetry === "true" || status >= 500 || RETRY_STATUS.has(status);
  return { retryable, what, detail, status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}

/** `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
export function retryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number(headers?.get("retry-after-ms") ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const raw = headers?.get("retry-after")?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** The wait before attempt `attempt + 1` (attempt counts from 1): the server's word, else exponential backoff with jitter. */
export function waitBefore(attempt: number, failure: Failure, policy: RetryPolicy): number {
  if (failure.retryAfterMs !== undefined) return failure.retryAfterMs;
  const exp = Math.min(policy.maxBackoffMs, policy.baseMs * 2 ** (attempt - 1));
  // Jitter keeps several sessions hit by the same overload from coming back in step.
  return Math.round(exp * (0.8 + Math.random() * 0.2));
}

/** "8 s", "1.5 s", "2 min". */
export function formatWait(ms: number): string {
  if (ms >= 120_000) return `${Math.round(ms / 60_000)} min`;
  const s = ms / 1000;
  return `${s >= 10 || Number.isInteger(s) ? Math.round(s) : s.toFixed(1)} s`;
}
