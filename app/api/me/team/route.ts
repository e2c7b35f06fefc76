import { NextResponse } from "next/server";
import { authorize } from "@/lib/auth/authorize";
import { TEAM_COOKIE } from "@/lib/auth/caller";
import { readJson, route } from "@/lib/http/handler";
import { SwitchTeamInputSchema } from "@/lib/protocol/teams";

export const dynamic = "force-dynamic";

/** Chooses the team the UI works in (a cookie read by resolveCaller). */
export const POST = route(async ({ req, caller }) => {
  const { teamId } = await readJson(req, SwitchTeamInputSchema);
  await authorize(caller, teamId, "team.read", "team not found");
  const res = NextResponse.json({ activeTeamId: teamId });
  res.cookies.set(TEAM_COOKIE, teamId, { httpOnly: true, sameSite: "lax", path: "/", maxAge: 365 * 24 * 3600 });
  return res;
});
