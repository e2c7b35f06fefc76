import { authorizeSession } from "@/lib/auth/authorize";
import { json, route } from "@/lib/http/handler";
import { requestRebase } from "@/lib/review/session-ops";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(async ({ params, caller }) => json(202, await requestRebase(await authorizeSession(caller, params.id, "session.review"), params.id)));
