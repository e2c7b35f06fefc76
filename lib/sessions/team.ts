// Until accounts exist there is one team, created on first start. Every query already filters
// by team id so that accounts only need to supply the caller's team here.
import { db } from "../db/client";

export const DEFAULT_TEAM_ID = "default";

export async function ensureDefaultTeam(): Promise<void> {
  await db().team.upsert({
    where: { id: DEFAULT_TEAM_ID },
    update: {},
    create: { id: DEFAULT_TEAM_ID, name: "Default team", slug: "default" },
  });
}

/** The team of the caller; the single seam where authentication will plug in. */
export async function callerTeam(_req: Request): Promise<string> {
  return DEFAULT_TEAM_ID;
}
