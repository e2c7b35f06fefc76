// Which pages work signed out, and where to send someone after they sign in. `next` comes from
// the address bar, so only same-origin paths are honored (no open redirects).

const PUBLIC_PATHS = [/^\/sign-in\/?$/, /^\/sign-up\/?$/, /^\/invite\/[^/]+\/?$/, /^\/share\/[^/]+\/?$/];
const AUTH_PAGES = /^\/sign-(in|up)(\/|\?|#|$)/;

/** Pages reachable without an account: sign-in, sign-up, invitation and share links. */
export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PATHS.some((re) => re.test(pathname));
}

/** A safe place to land after signing in: a path on this site, never the auth pages themselves. */
export function safeNext(next: string | null | undefined, fallback = "/"): string {
  if (!next || next.length > 2000) return fallback;
  // "//host" and "/\host" are protocol-relative URLs to another site in browsers.
  if (!next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  // Control characters and whitespace make browsers normalize the URL unpredictably.
  if (/[\u0000-\u001f\u007f\s]/.test(next)) return fallback;
  if (AUTH_PAGES.test(next)) return fallback;
  return next;
}

/** `next` when it is an invitation link's page (signing up there joins the team), else null. */
export function invitationPath(next: string | null | undefined): string | null {
  const target = safeNext(next, "");
  return /^\/invite\/inv_[A-Za-z0-9_-]{1,200}\/?$/.test(target) ? target : null;
}

export const signInHref = (next?: string) => withNext("/sign-in", next);
export const signUpHref = (next?: string) => withNext("/sign-up", next);

function withNext(page: string, next?: string): string {
  const target = safeNext(next, "");
  return target && target !== "/" ? `${page}?next=${encodeURIComponent(target)}` : page;
}

/** Sends the browser to sign-in, remembering the current page (a full load: fresh socket, fresh data). */
export function redirectToSignIn(): void {
  const { pathname, search } = window.location;
  if (isPublicPath(pathname)) return;
  window.location.replace(signInHref(pathname + search));
}
