// Routines of the caller's team: list (viewers and up) and create (members and up). The created
// routine's answer carries its webhook token, shown this once.
import { activeTeam, authorize } from "@/lib/auth/authorize";
import { json, readJson, route } from "@/lib/http/handler";
import { RoutineCreateSchema } from "@/lib/protocol/routines";
import { createRoutine } from "@/lib/routines/create-routine";
import { listRoutines } from "@/lib/routines/read-routines";

export const dynamic = "force-dynamic";

export const GET = route(async ({ caller }) => {
  const { teamId } = await authorize(caller, await activeTeam(caller), "routine.read");
  return { routines: await listRoutines(teamId) };
});

export const POST = route(async ({ req, caller }) => {
  const access = await authorize(caller, await activeTeam(caller), "routine.manage");
  return json(201, await createRoutine(access, await readJson(req, RoutineCreateSchema)));
});
