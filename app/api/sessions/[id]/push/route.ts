import { authorizeSession } from "@/lib/auth/authorize";
import { route } from "@/lib/http/handler";
import { pushSession } from "@/lib/review/session-ops";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(async ({ params, caller }) => pushSession(await authorizeSession(caller, params.id, "session.review"), params.id));
