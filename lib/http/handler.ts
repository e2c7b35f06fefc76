// The wrapper every route handler goes through: parses input with zod, maps errors to JSON
// responses (zod → 422, AppError → its status, anything else → 500 that leaks nothing).
// Authentication and team scoping will hook in here (issue: teams), in one place.
import { NextResponse } from "next/server";
import { z } from "zod";
import { AppError, ERROR_STATUS, isAppError } from "../errors";
import { ensureRuntime } from "../runtime/boot";

export interface RouteContext<P> {
  params: P;
  req: Request;
}

type Handler<P> = (ctx: RouteContext<P>) => Promise<Response | unknown>;

export function route<P = Record<string, string>>(handler: Handler<P>) {
  return async (req: Request, segment: { params: Promise<P> }): Promise<Response> => {
    try {
      await ensureRuntime();
      const params = (await segment?.params) ?? ({} as P);
      const out = await handler({ params, req });
      return out instanceof Response ? out : NextResponse.json(out);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

export function errorResponse(err: unknown): Response {
  if (isAppError(err)) return json(ERROR_STATUS[err.code], { error: { code: err.code, message: err.message } });
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
