import { json, readJson, route } from "@/lib/http/handler";
import { CreateShareInputSchema } from "@/lib/protocol/teams";
import { createShare } from "@/lib/shares/create-share";
import { listShares } from "@/lib/shares/list-shares";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => listShares(caller, params.id));

export const POST = route<{ id: string }>(async ({ req, params, caller }) => {
  const input = await readJson(req, CreateShareInputSchema);
  return json(201, await createShare(caller, params.id, input));
});
