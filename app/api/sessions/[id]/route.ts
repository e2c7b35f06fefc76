import { route } from "@/lib/http/handler";
import { getSession, toDto } from "@/lib/sessions/dto";
import { callerTeam } from "@/lib/sessions/team";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ req, params }) => toDto(await getSession(await callerTeam(req), params.id)));
