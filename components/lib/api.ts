// The browser's one way to call the HTTP API: never throws, always returns either the
// validated body or an error message fit to show a person.
import type { z } from "zod";
import { ApiErrorSchema } from "../../lib/protocol/api";

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; code: string; message: string };

interface Options {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  signal?: AbortSignal;
}

/** JSON request; the response is checked against `schema` when given. */
export async function apiJson<T>(path: string, schema: z.ZodType<T> | null, opts: Options = {}): Promise<ApiResult<T>> {
  const res = await send(path, opts, "application/json");
  if ("failed" in res) return res.failed;
  if (!res.response.ok) return readError(res.response);
  if (res.response.status === 202 || res.response.status === 204) return { ok: true, status: res.response.status, data: undefined as T };
  let body: unknown;
  try {
    body = await res.response.json();
  } catch {
    return { ok: false, status: res.response.status, code: "bad_response", message: "The server sent a response that isn't JSON." };
  }
  if (!schema) return { ok: true, status: res.response.status, data: body as T };
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    console.warn(`[api] unexpected response from ${path}`, parsed.error.issues);
    return { ok: false, status: res.response.status, code: "bad_response", message: "The server sent a response in an unexpected shape." };
  }
  return { ok: true, status: res.response.status, data: parsed.data };
}

/** Plain-text request (the diff). */
export async function apiText(path: string, opts: Options = {}): Promise<ApiResult<string>> {
  const res = await send(path, opts, "text/plain");
  if ("failed" in res) return res.failed;
  if (!res.response.ok) return readError(res.response);
  return { ok: true, status: res.response.status, data: await res.response.text() };
}

async function send(path: string, opts: Options, accept: string): Promise<{ response: Response } | { failed: ApiResult<never> }> {
  try {
    const response = await fetch(path, {
      method: opts.method ?? "GET",
      headers: opts.body === undefined ? { accept } : { accept, "content-type": "application/json" },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
      cache: "no-store",
    });
    return { response };
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") return { failed: { ok: false, status: 0, code: "aborted", message: "Request cancelled." } };
    return { failed: { ok: false, status: 0, code: "network", message: "Can't reach the Dockside server. Check that it is running." } };
  }
}

async function readError(res: Response): Promise<ApiResult<never>> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Not JSON (a proxy error page, say): fall through to a generic message.
  }
  const parsed = ApiErrorSchema.safeParse(body);
  if (parsed.success) return { ok: false, status: res.status, code: parsed.data.error.code, message: parsed.data.error.message };
  return { ok: false, status: res.status, code: "http_" + res.status, message: `The server answered ${res.status} ${res.statusText}`.trim() };
}
