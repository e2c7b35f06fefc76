// One routine: read it (viewers and up), change or delete it (its creator, or an admin).
// Another team's routine is 404.
import { json, readJson, route } from "@/lib/http/handler";
import { RoutinePatchSchema } from "@/lib/protocol/routines";
import { authorizeRoutine } from "@/lib/routines/access";
import { routineDto } from "@/lib/routines/dto";
import { deleteRoutine, updateRoutine } from "@/lib/routines/update-routine";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => {
  const { routine } = await authorizeRoutine(caller, params.id, "routine.read");
  return routineDto(routine);
});

export const PATCH = route<{ id: string }>(async ({ req, params, caller }) => {
  const { access, routine } = await authorizeRoutine(caller, params.id, "routine.manage");
  return updateRoutine(access, routine, await readJson(req, RoutinePatchSchema));
});

export const DELETE = route<{ id: string }>(async ({ params, caller }) => {
  const { access, routine } = await authorizeRoutine(caller, params.id, "routine.manage");
  await deleteRoutine(access, routine);
  return json(200, { ok: true });
});
