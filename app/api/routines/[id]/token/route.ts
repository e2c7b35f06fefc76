// A new webhook token for the routine (its creator, or an admin); the old one stops working.
import { json, route } from "@/lib/http/handler";
import { authorizeRoutine } from "@/lib/routines/access";
import { rotateRoutineToken } from "@/lib/routines/update-routine";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(async ({ params, caller }) => {
  const { access, routine } = await authorizeRoutine(caller, params.id, "routine.manage");
  return json(201, await rotateRoutineToken(access, routine));
});
