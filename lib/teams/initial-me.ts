// Who is signed in, for the root layout's server render: the browser need not wait for GET /api/me
// before it can show anything (one round trip less before every page's first paint). Read as the
// route reads it; without it (signed out, a failure) the browser asks as before.
import { activeTeam } from "../auth/authorize";
import { asRouteJson, readForPage } from "../http/page-read";
import { MeDtoSchema, type MeDto } from "../protocol/teams";
import { getMe } from "./teams";

export function initialMe(headers: Headers): Promise<MeDto | null> {
  return readForPage(headers, async (caller) => asRouteJson(MeDtoSchema, await getMe(caller, await activeTeam(caller).catch(() => null))));
}
