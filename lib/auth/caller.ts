// Who is calling: a signed-in browser (better-auth cookie) or an API token (Bearer). Used by
// the route wrapper, the socket handshake and nothing else.
import { db } from "../db/client";
import { AppError } from "../errors";
import { auth } from "./auth";
import { clientIp, rateLimit } from "./rate-limit";
import { ROUTINE_TOKEN_PREFIX, TOKEN_PREFIX, verifyApiToken } from "./tokens";

export interface Caller {
  user: { id: string; name: string; email: string };
  via: "cookie" | "token";
  /** Set for token callers: the only team the token may act in. */
  tokenTeamId?: string;
  tokenId?: string;
  /** The team chosen in the UI (cookie `dockside_team` or header `x-dockside-team`), if any. */
  preferredTeamId?: string;
  /** True when the team came from the explicit header: a team the caller is not in is then a 404. */
  explicitTeam?: boolean;
}

export const TEAM_COOKIE = "dockside_team";

/** Resolves the caller from request headers; null when there are no (valid) credentials. */
export async function resolveCaller(headers: Headers): Promise<Caller | null> {
  const authz = headers.get("authorization");
  if (authz) {
    const m = /^Bearer\s+(\S+)$/i.exec(authz);
    if (!m) throw new AppError("unauthorized", "the Authorization header is not `Bearer <token>`: send your Dockside API token as `Authorization: Bearer dsk_…`");
    // A routine's webhook token (rt_…) is no caller: its one route checks it itself (lib/routines/token.ts).
    if (m[1].startsWith(ROUTINE_TOKEN_PREFIX)) return null;
    const hit = m[1].startsWith(TOKEN_PREFIX) ? await verifyApiToken(m[1]) : null;
    if (!hit) {
      await rateLimit(`bad-token:${clientIp(headers)}`, 30, 60_000);
      return null;
    }
    const user = await db().user.findUnique({ where: { id: hit.userId } });
    if (!user) return null;
    const named = headers.get("x-dockside-team") ?? undefined;
    return { user: { id: user.id, name: user.name, email: user.email }, via: "token", tokenTeamId: hit.teamId, tokenId: hit.tokenId, preferredTeamId: named, explicitTeam: !!named };
  }
  const session = await auth().api.getSession({ headers }).catch(() => null);
  if (!session) return null;
  const u = session.user;
  return { user: { id: u.id, name: u.name, email: u.email }, via: "cookie", preferredTeamId: teamFromHeaders(headers), explicitTeam: headers.has("x-dockside-team") };
}

function teamFromHeaders(headers: Headers): string | undefined {
  const h = headers.get("x-dockside-team");
  if (h) return h;
  const cookie = headers.get("cookie") ?? "";
  const m = new RegExp(`(?:^|;\\s*)${TEAM_COOKIE}=([^;]+)`).exec(cookie);
  return m ? decodeURIComponent(m[1]) : undefined;
}
