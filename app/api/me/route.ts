import { activeTeam } from "@/lib/auth/authorize";
import { route } from "@/lib/http/handler";
import { getMe } from "@/lib/teams/teams";

export const dynamic = "force-dynamic";

export const GET = route(async ({ caller }) => getMe(caller, await activeTeam(caller).catch(() => null)));
