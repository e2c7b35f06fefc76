// A routine's runs, newest first, each with its session's status (viewers and up).
import { route } from "@/lib/http/handler";
import { authorizeRoutine } from "@/lib/routines/access";
import { listRuns } from "@/lib/routines/read-routines";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => {
  const { routine } = await authorizeRoutine(caller, params.id, "routine.read");
  return { runs: await listRuns(routine.id) };
});
