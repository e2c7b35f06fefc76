import { z } from "zod";
import { activeTeam, authorize } from "@/lib/auth/authorize";
import { readJson, route } from "@/lib/http/handler";
import { markRead } from "@/lib/notifications/inbox";

export const dynamic = "force-dynamic";

const MarkReadSchema = z.strictObject({ ids: z.array(z.string().min(1).max(100)).max(500).optional() });

/** Marks the given notifications (or all, without `ids`) of the caller's active team read. */
export const POST = route(async ({ req, caller }) => {
  const { teamId } = await authorize(caller, await activeTeam(caller), "team.read", "team not found");
  const { ids } = await readJson(req, MarkReadSchema);
  return markRead(caller.user.id, teamId, ids);
});
