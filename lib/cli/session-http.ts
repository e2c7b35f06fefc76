// The session CLI's way to the server: its HTTP API with an API token (DOCKSIDE_URL,
// DOCKSIDE_TOKEN). Every refusal becomes a SessionCliError carrying the server's own message.
import type { z } from "zod";
import { ApiErrorSchema } from "../protocol/api";

/** A failure the CLI reports in words and with a non-zero exit code. */
export class SessionCliError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "SessionCliError";
  }
}

export interface Server {
  /** The base address without a trailing slash, e.g. https://dockside.example.com. */
  url: string;
  token: string;
}

/** Where the server is and who we are, from the environment; names the variable that is missing. */
export function serverFromEnv(env: NodeJS.ProcessEnv = process.env): Server {
  const rawUrl = env.DOCKSIDE_URL?.trim();
  const token = env.DOCKSIDE_TOKEN?.trim();
  if (!rawUrl) throw new SessionCliError("DOCKSIDE_URL is not set: export the address of your Dockside server, e.g. DOCKSIDE_URL=https://dockside.example.com", "config");
  if (!token) throw new SessionCliError("DOCKSIDE_TOKEN is not set: create an API token in Settings → API tokens (or `dockside token create`) and export it", "config");
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new SessionCliError(`DOCKSIDE_URL is not an address: "${rawUrl}" (e.g. https://dockside.example.com)`, "config");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new SessionCliError(`DOCKSIDE_URL must start with http:// or https://, not "${url.protocol}"`, "config");
  return { url: url.href.replace(/\/+$/, ""), token };
}

type Method = "GET" | "POST";

/** Calls the API; answers the parsed JSON (checked with `schema`) or, for `text`, the body as text. */
export async function callApi<S extends z.ZodType>(server: Server, method: Method, path: string, opts: { body?: unknown; schema: S }): Promise<z.infer<S>>;
export async function callApi(server: Server, method: Method, path: string, opts: { body?: unknown; text: true }): Promise<string>;
export async function callApi(server: Server, method: Method, path: string, opts: { body?: unknown; schema?: z.ZodType; text?: true }): Promise<unknown> {
  const headers: Record<string, string> = { authorization: `Bearer ${server.token}`, accept: opts.text ? "text/plain" : "application/json" };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(server.url + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new SessionCliError(`cannot reach Dockside at ${server.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, "unreachable");
  }
  if (!res.ok) throw await refusal(res);
  if (opts.text) return res.text();
  const body: unknown = await res.json().catch(() => null);
  const parsed = opts.schema!.safeParse(body);
  if (!parsed.success) throw new SessionCliError(`${method} ${path}: the server's answer is not what this CLI expects (is DOCKSIDE_URL a Dockside server of the same version?)`, "protocol");
  return parsed.data;
}

async function refusal(res: Response): Promise<SessionCliError> {
  const text = await res.text().catch(() => "");
  let message: string | undefined;
  let code = `http_${res.status}`;
  try {
    const parsed = ApiErrorSchema.safeParse(JSON.parse(text));
    if (parsed.success) ({ message, code } = parsed.data.error);
  } catch {
    // not JSON: a proxy's page, say
  }
  const hint = res.status === 401 ? " (check DOCKSIDE_TOKEN: it may be wrong, revoked or for another server)" : "";
  return new SessionCliError(`${message ?? (text.trim().slice(0, 300) || res.statusText)}${hint} [HTTP ${res.status}]`, code);
}

/** The session's page in the browser, for people to click. */
export const sessionPage = (server: Server, id: string) => `${server.url}/sessions/${encodeURIComponent(id)}`;
export const sessionPath = (id: string, rest = "") => `/api/sessions/${encodeURIComponent(id)}${rest}`;
