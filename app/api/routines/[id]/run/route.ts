// "Run now": a person (members and up) starts a run, with optional text appended to the prompt.
import { json, route } from "@/lib/http/handler";
import { authorizeRoutine } from "@/lib/routines/access";
import { fireRoutine, readFireInput } from "@/lib/routines/fire";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(async ({ req, params, caller }) => {
  const { routine } = await authorizeRoutine(caller, params.id, "routine.manage");
  const { text } = await readFireInput(req);
  return json(201, await fireRoutine(routine, { trigger: "manual", text, actor: caller.user }));
});
