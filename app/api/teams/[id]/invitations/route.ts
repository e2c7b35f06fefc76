import { authorize } from "@/lib/auth/authorize";
import { json, readJson, route } from "@/lib/http/handler";
import { CreateInvitationInputSchema } from "@/lib/protocol/teams";
import { createInvitation, listInvitations } from "@/lib/teams/invitations";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => ({
  invitations: await listInvitations(await authorize(caller, params.id, "invite.create", "team not found")),
}));

export const POST = route<{ id: string }>(async ({ req, params, caller }) => {
  const access = await authorize(caller, params.id, "invite.create", "team not found");
  const { role } = await readJson(req, CreateInvitationInputSchema);
  return json(201, await createInvitation(access, role));
});
