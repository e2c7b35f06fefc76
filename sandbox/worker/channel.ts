// The worker's side of the host channel: HTTP over the Unix socket bind-mounted into the
// sandbox. The host may restart at any time, so every call that is safe to repeat retries
// until it gets through; the worker keeps its state meanwhile.
import http from "node:http";
import type { Readable } from "node:stream";
import { HttpError, Interrupted } from "./errors";

export type SendOptions = { signal?: AbortSignal; timeoutMs?: number };
type Body = string | Uint8Array | null;

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** Sleeps `ms`, or throws Interrupted as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Interrupted("aborted"));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Interrupted("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Delay before the n-th retry: 200 ms doubling up to 5 s. */
export const backoff = (attempt: number) => Math.min(5000, 200 * 2 ** Math.min(attempt, 10));

/** True for errors that mean "nothing reached the host": safe to send again. */
function isConnectError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === "ECONNREFUSED" || code === "ENOENT" || code === "EAGAIN" || code === "ECONNRESET";
}

/** Opens one request on the socket and resolves when the response headers arrive. */
function open(
  socketPath: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Body,
  opts: SendOptions,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, headers, agent: false, signal: opts.signal }, resolve);
    req.on("error", reject);
    if (opts.timeoutMs) req.setTimeout(opts.timeoutMs, () => req.destroy(new Error(`no answer from the host in ${opts.timeoutMs} ms`)));
    req.end(body ?? undefined);
  });
}

async function readAll(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export class Channel {
  constructor(readonly socketPath: string) {}

  /** One JSON request, one attempt; throws HttpError on a status >= 400. */
  async once(method: string, path: string, body?: unknown, opts: SendOptions = {}): Promise<unknown> {
    const payload = body === undefined ? null : JSON.stringify(body);
    const headers: Record<string, string> = { host: "dockside-host", accept: "application/json" };
    if (payload !== null) headers["content-type"] = "application/json";
    const res = await open(this.socketPath, method, path, headers, payload, opts);
    const text = await readAll(res);
    if ((res.statusCode ?? 500) >= 400) throw new HttpError(res.statusCode ?? 500, text);
    return text ? JSON.parse(text) : null;
  }

  /** Like `once`, but retries with backoff while the host is unreachable or briefly failing. */
  async call(method: string, path: string, body?: unknown, opts: SendOptions = {}): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(method, path, body, opts);
      } catch (err) {
        if (opts.signal?.aborted) throw new Interrupted("aborted");
        const retryable = !(err instanceof HttpError) || RETRYABLE_STATUS.has(err.status);
        if (!retryable) throw err;
        if (attempt === 3) process.stderr.write(`[worker] host unreachable, still retrying: ${String(err)}\n`);
        await sleep(backoff(attempt), opts.signal);
      }
    }
  }

  /**
   * GET a raw body (a tar, a bundle) as a stream, one attempt; throws HttpError on a status >= 400.
   * `timeoutMs` is how long the socket may stay idle, headers and body alike.
   */
  async download(path: string, opts: SendOptions = {}): Promise<http.IncomingMessage> {
    const res = await open(this.socketPath, "GET", path, { host: "dockside-host" }, null, opts);
    const status = res.statusCode ?? 500;
    if (status >= 400) throw new HttpError(status, (await readAll(res)).slice(0, 4000));
    return res;
  }

  /**
   * POSTs `body` as it is produced, never whole in memory (backpressure: `body` pauses while the
   * host is slower), one attempt; resolves with the host's JSON answer. The request ends only once
   * `body` ended and `complete` resolved (the producer exited well): if it rejects, the request is
   * dropped, so the host never takes a cut stream for a whole one. `timeoutMs`: idle time allowed.
   * An answer >= 400 (even before the body is all sent, e.g. 413) rejects with HttpError.
   */
  upload(path: string, body: Readable, opts: SendOptions & { contentType: string; complete?: Promise<void> }): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let answered = false;
      let bodyEnded = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        req.destroy();
        body.destroy();
        reject(err);
      };
      const headers = { host: "dockside-host", "content-type": opts.contentType, accept: "application/json" };
      const req = http.request({ socketPath: this.socketPath, method: "POST", path, headers, agent: false, signal: opts.signal });
      if (opts.timeoutMs) req.setTimeout(opts.timeoutMs, () => fail(new Error(`the upload stalled for ${Math.round(opts.timeoutMs! / 1000)} s`)));
      // Once the host answered, its answer says how it went (a refusal cuts the connection under the body).
      req.on("error", (err) => answered || fail(err));
      req.on("response", (res) => {
        answered = true;
        const status = res.statusCode ?? 500;
        if (status >= 400) body.destroy(); // nothing more to send
        let text = "";
        res.on("data", (c: Buffer) => void (text.length < 4000 && (text += c.toString("utf8"))));
        const done = () => {
          if (status >= 400) return fail(new HttpError(status, text));
          if (!bodyEnded) return fail(new Error(`the host answered ${status} before the upload ended`));
          try {
            const parsed: unknown = text ? JSON.parse(text) : null;
            settled = true;
            resolve(parsed);
          } catch {
            fail(new Error(`the host's answer is not JSON: ${text.slice(0, 200)}`));
          }
        };
        res.on("end", done);
        res.on("close", done); // cut short: what came is all there is
        res.on("error", () => done());
      });
      body.on("data", (chunk: Buffer) => {
        if (!req.write(chunk)) body.pause();
      });
      req.on("drain", () => body.resume());
      body.on("error", (err) => fail(err));
      body.on("end", () => {
        bodyEnded = true;
        (opts.complete ?? Promise.resolve()).then(
          () => settled || req.end(),
          (err: unknown) => fail(err instanceof Error ? err : new Error(String(err))),
        );
      });
    });
  }

  /** A `fetch` for the Anthropic SDK: the request goes over the socket, the body streams back. */
  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => (headers[key] = value));
    headers.host = "dockside-host";
    const body = await bodyBytes(init.body);
    const signal = init.signal ?? undefined;
    const method = init.method ?? "GET";
    // Connection failures happen before anything reached the host, so the request can be
    // repeated; anything later is left to the SDK's own retries.
    let res: http.IncomingMessage;
    for (let attempt = 0; ; attempt++) {
      try {
        res = await open(this.socketPath, method, url.pathname + url.search, headers, body, { signal });
        break;
      } catch (err) {
        if (signal?.aborted || !isConnectError(err) || attempt >= 12) throw err;
        await sleep(backoff(attempt), signal);
      }
    }
    return toResponse(res);
  };
}

/** The host's answer stopped before its end (a restart, a dropped socket): safe to ask again. */
export class HostStreamClosed extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = "HostStreamClosed";
  }
}

async function bodyBytes(body: BodyInit | null | undefined): Promise<Body> {
  if (body === null || body === undefined) return null;
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  // Anything else (streams, blobs, forms) the SDK does not send to /v1/messages; buffer it.
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/** Wraps a node response into a web Response whose body streams with backpressure. */
export function toResponse(res: http.IncomingMessage): Response {
  const headers = new Headers();
  for (const [key, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(key, v);
  }
  const status = res.statusCode ?? 500;
  const init = { status, statusText: res.statusMessage ?? "", headers };
  if (status === 204 || status === 304) {
    res.resume();
    return new Response(null, init);
  }
  // The SDK may cancel the body (to retry, or after an abort) while the socket still delivers
  // data, "end" or "close": once cancelled or settled, the controller must not be touched again
  // (ERR_INVALID_STATE: Controller is already closed).
  let settled = false;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      res.on("data", (chunk: Buffer) => {
        if (settled) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
        if ((controller.desiredSize ?? 1) <= 0) res.pause();
      });
      const settle = (finish: () => void) => {
        if (settled) return;
        settled = true;
        finish();
      };
      res.on("end", () => settle(() => controller.close()));
      res.on("error", (err) => settle(() => controller.error(new HostStreamClosed(err.message, err))));
      // An aborted request may close the response without "end" or "error".
      res.on("close", () => settle(() => controller.error(new HostStreamClosed("the host closed the model stream"))));
    },
    pull() {
      res.resume();
    },
    cancel() {
      settled = true;
      res.destroy();
    },
  });
  return new Response(body, init);
}
