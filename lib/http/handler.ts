// The wrapper every route handler goes through: parses input with zod, maps errors to JSON
// responses (zod → 422, AppError → its status, anything else → 500 that leaks nothing).
// Authentication happens here, in one place: without credentials every route but the public
// ones answers 401. Authorization of the resource is the handler's first line (lib/auth/authorize).
// While the database is away every request that needs it answers 503 (lib/db/unavailable.ts).
import crypto from "node:crypto";
import { NextResponse } from "next/server";
import { z } from "zod";
import { databaseOutage, databaseUnavailable, isDatabaseUnavailable } from "../db/unavailable";
import { AppError, ERROR_STATUS, isAppError } from "../errors";
import { ensureRuntime } from "../runtime/boot";
import { resolveCaller, type Caller } from "../auth/caller";
import { writeAllowed } from "./origin";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface RouteContext<P, C = Caller> {
  params: P;
  req: Request;
  caller: C;
}

type Handler<P, C> = (ctx: RouteContext<P, C>) => Promise<Response | unknown>;

/** A route that needs a signed-in user or an API token. */
export function route<P = Record<string, string>>(handler: Handler<P, Caller>) {
  return wrap<P, Caller>(handler, true);
}

/** A route that also answers anonymous callers (health, public share links). */
export function publicRoute<P = Record<string, string>>(handler: Handler<P, Caller | null>) {
  return wrap<P, Caller | null>(handler, false);
}

function wrap<P, C extends Caller | null>(handler: Handler<P, C>, requireCaller: boolean) {
  return async (req: Request, segment: { params: Promise<P> }): Promise<Response> => {
    try {
      await ensureRuntime();
      const params = (await segment?.params) ?? ({} as P);
      const caller = await callerOf(req.headers, requireCaller);
      if (!caller && requireCaller) throw new AppError("unauthorized", "sign in, or send an API token as `Authorization: Bearer <token>`");
      if (caller?.via === "cookie" && !SAFE_METHODS.has(req.method) && !writeAllowed(req.headers)) {
        throw new AppError("forbidden", "cross-site request refused: writes with a session cookie must come from Dockside's own pages");
      }
      const out = await handler({ params, req, caller: caller as C });
      return out instanceof Response ? out : NextResponse.json(out);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

// Callers verified in the last minutes, by a hash of their credentials. Used only by public
// routes (health) while the database is away, so a signed-in person still learns why and since
// when; nothing else is served without the database anyway.
const recent = new Map<string, { caller: Caller; at: number }>();
const RECENT_MS = 15 * 60_000;

async function callerOf(headers: Headers, requireCaller: boolean): Promise<Caller | null> {
  const key = credentialKey(headers);
  try {
    const caller = await resolveCaller(headers);
    // Cookie sessions are looked up with errors swallowed: without the database they read as
    // "no session", which must be a 503, not a 401 that signs the person out.
    if (!caller && key && databaseOutage()) throw databaseUnavailable();
    if (caller && key) remember(key, caller);
    return caller;
  } catch (err) {
    if (!(isDatabaseUnavailable(err) || databaseOutage()) || isAppError(err) && err.code !== "unavailable") throw err;
    const known = key ? recent.get(key) : undefined;
    if (requireCaller) throw databaseUnavailable(err);
    return known && Date.now() - known.at < RECENT_MS ? known.caller : null;
  }
}

function credentialKey(headers: Headers): string | null {
  const cred = headers.get("authorization") ?? headers.get("cookie");
  return cred ? crypto.createHash("sha256").update(cred).digest("base64url") : null;
}

function remember(key: string, caller: Caller): void {
  recent.delete(key);
  recent.set(key, { caller, at: Date.now() });
  if (recent.size > 1000) recent.delete(recent.keys().next().value as string);
}

export function errorResponse(err: unknown): Response {
  // The database went away under this request: a retryable 503, not a 500.
  if ((!isAppError(err) || err.code === "internal") && (isDatabaseUnavailable(err) || databaseOutage())) err = databaseUnavailable(err);
  if (isAppError(err)) {
    const res = json(ERROR_STATUS[err.code], { error: { ...err.details, code: err.code, message: err.message } });
    if (res.status === 401) res.headers.set("www-authenticate", "Bearer");
    if (res.status === 503 && err.message.startsWith("database unavailable")) res.headers.set("retry-after", "2");
    return res;
  }
  if (err instanceof z.ZodError || (err instanceof Error && err.name === "ZodError" && Array.isArray((err as z.ZodError).issues))) {
    const message = (err as z.ZodError).issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ");
    return json(422, { error: { code: "invalid", message } });
  }
  console.error("[api] unexpected error", err);
  return json(500, { error: { code: "internal", message: "Internal error; the server log has the details." } });
}

export const json = (status: number, body: unknown) => NextResponse.json(body, { status });

/** Reads a JSON body; a body that isn't JSON is a 400, one that doesn't fit the schema a 422. */
export async function readJson<S extends z.ZodType>(req: Request, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    throw new AppError("bad_request", "request body must be JSON");
  }
  return schema.parse(body);
}

export function readQuery<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const url = new URL(req.url);
  return schema.parse(Object.fromEntries(url.searchParams));
}
