import { json, readJson, route } from "@/lib/http/handler";
import { AppError } from "@/lib/errors";
import { CreateTeamInputSchema } from "@/lib/protocol/teams";
import { createTeam } from "@/lib/teams/teams";

export const dynamic = "force-dynamic";

export const POST = route(async ({ req, caller }) => {
  if (caller.via === "token") throw new AppError("forbidden", "API tokens act within one team; create teams from the web UI or the CLI");
  const { name } = await readJson(req, CreateTeamInputSchema);
  return json(201, await createTeam(name, caller.user));
});
