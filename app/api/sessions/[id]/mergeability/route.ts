import { authorizeSession } from "@/lib/auth/authorize";
import { route } from "@/lib/http/handler";
import { mergeability } from "@/lib/review/mergeability";

export const dynamic = "force-dynamic";

/** Whether Merge can go now and what it would do: commits, files, how far the base moved, conflicts. */
export const GET = route<{ id: string }>(async ({ params, caller }) => mergeability(await authorizeSession(caller, params.id, "session.read"), params.id));
