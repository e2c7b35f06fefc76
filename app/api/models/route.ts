// The models sessions can use, from the one table (lib/models/table.ts): window, output, prices.
import { activeTeam, authorize } from "@/lib/auth/authorize";
import { env } from "@/lib/config/env";
import { route } from "@/lib/http/handler";
import { MODELS } from "@/lib/models/table";

export const dynamic = "force-dynamic";

export const GET = route(async ({ caller }) => {
  await authorize(caller, await activeTeam(caller), "team.read");
  return { default: env().DOCKSIDE_MODEL, models: MODELS };
});
