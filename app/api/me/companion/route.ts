import { updateCompanion } from "@/lib/companion/companions";
import { readJson, route } from "@/lib/http/handler";
import { CompanionPatchSchema } from "@/lib/protocol/companion";

export const dynamic = "force-dynamic";

/** Names, hides or shows the caller's own companion; there is no way to address anyone else's. */
export const PATCH = route(async ({ req, caller }) => updateCompanion(caller.user.id, await readJson(req, CompanionPatchSchema)));
