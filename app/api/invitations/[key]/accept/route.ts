import { AppError } from "@/lib/errors";
import { route } from "@/lib/http/handler";
import { acceptInvitation } from "@/lib/teams/invitations";

export const dynamic = "force-dynamic";

export const POST = route<{ key: string }>(async ({ params, caller }) => {
  if (caller.via === "token") throw new AppError("forbidden", "an API token cannot accept an invitation: open the link in a browser and sign in there");
  return acceptInvitation(caller, params.key);
});
