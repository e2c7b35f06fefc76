// Is a browser request from Dockside's own origin? Guards cookie-authenticated writes (CSRF)
// and the socket handshake (cross-site WebSocket hijacking). Same-site is not enough: another
// port on the host or a sibling subdomain is same-site.
import { env } from "../config/env";

export function sameOrigin(origin: string | null | undefined, host: string | null | undefined): boolean {
  if (!origin) return false;
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false;
  }
  if (o.origin === new URL(env().publicUrl).origin) return true;
  // Without a configured public URL, the address the browser used is the app's origin.
  return !env().DOCKSIDE_PUBLIC_URL && !!host && o.host === host;
}

/** For cookie callers' writes: the Origin must be ours; without one, the browser must say same-origin. */
export function writeAllowed(headers: Headers): boolean {
  const origin = headers.get("origin");
  if (origin) return sameOrigin(origin, headers.get("host"));
  return headers.get("sec-fetch-site") === "same-origin";
}
