// Headers on every response server.ts hands to Next (pages, static files, API, errors).
// Framing is refused outright: one click in a framed review page once merged into a protected
// branch. Referrer-Policy is same-origin rather than no-referrer because browsers send
// `Origin: null` on same-origin POSTs under no-referrer, which the CSRF check (origin.ts) refuses.
import type { ServerResponse } from "node:http";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": "frame-ancestors 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
};

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}
