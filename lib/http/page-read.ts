// What a page's server render reads for the caller of its request (its cookie), so the page's
// HTML holds it and the browser need not ask first. Authorized by the read itself, as the route
// for the same data is; any failure (signed out, not allowed, the database away) is null, and the
// browser then asks the route, which answers with the error as always.
import type { z } from "zod";
import { resolveCaller, type Caller } from "../auth/caller";

export async function readForPage<T>(headers: Headers, read: (caller: Caller) => Promise<T>): Promise<T | null> {
  try {
    const caller = await resolveCaller(headers);
    return caller ? await read(caller) : null;
  } catch {
    return null;
  }
}

/** A value as the browser reads it from the route: JSON (dates become strings), checked by the route's schema. */
export function asRouteJson<S extends z.ZodTypeAny>(schema: S, value: unknown): z.infer<S> {
  return schema.parse(JSON.parse(JSON.stringify(value)));
}
