// The wrapper every route handler goes through: parses input with zod, maps errors to JSON
// responses (zod → 422, AppError → its status, anything else → 500 that leaks nothing).
// Authentication happens here, in one place: without credentials every route but the public
// ones answers 401. Authorization of the resource is the handler's first line (lib/auth/authorize).
import { NextResponse } from "next/server";
import { z } from "zod";
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
      const caller = await resolveCaller(req.headers);
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

export function errorResponse(err: unknown): Response {
  if (isAppError(err)) {
    const res = json(ERROR_STATUS[err.code], { error: { ...err.details, code: err.code, message: err.message } });
    if (res.status === 401) res.headers.set("www-authenticate", "Bearer");
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
