import { authorizeSession } from "@/lib/auth/authorize";
import { route } from "@/lib/http/handler";
import { getSession, toDto } from "@/lib/sessions/dto";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => {
  const { teamId } = await authorizeSession(caller, params.id, "session.read");
  return toDto(await getSession(teamId, params.id));
});
