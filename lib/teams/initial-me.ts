// Who is signed in, for the root layout's server render: the page's HTML then holds the signed-in
// view instead of "Loading…", and the browser need not wait for GET /api/me before it can show
// anything (one round trip less before every page's first paint). Read as the route reads it;
// any failure (signed out, no team, the database away) leaves the browser to ask as before.
import { activeTeam } from "../auth/authorize";
import { resolveCaller } from "../auth/caller";
import { MeDtoSchema, type MeDto } from "../protocol/teams";
import { getMe } from "./teams";

export async function initialMe(headers: Headers): Promise<MeDto | null> {
  try {
    const caller = await resolveCaller(headers);
    if (!caller) return null;
    // As the browser would read it from the route: JSON, checked by the same schema.
    return MeDtoSchema.parse(JSON.parse(JSON.stringify(await getMe(caller, await activeTeam(caller).catch(() => null)))));
  } catch {
    return null;
  }
}
