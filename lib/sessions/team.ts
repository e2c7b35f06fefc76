// The first team, created on first start. Sessions started before any account existed belong
// to it, and the first account to sign up becomes its owner (lib/teams/first-user.ts).
import { db } from "../db/client";

export const DEFAULT_TEAM_ID = "default";

export async function ensureDefaultTeam(): Promise<void> {
  await db().team.upsert({
    where: { id: DEFAULT_TEAM_ID },
    update: {},
    create: { id: DEFAULT_TEAM_ID, name: "Default team", slug: "default" },
  });
}

