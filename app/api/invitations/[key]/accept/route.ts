import { AppError } from "@/lib/errors";
import { route } from "@/lib/http/handler";
import { acceptInvitation } from "@/lib/teams/invitations";

export const dynamic = "force-dynamic";

export const POST = route<{ key: string }>(async ({ params, caller }) => {
  if (caller.via === "token") throw new AppError("forbidden", "accept invitations signed in, not with an API token");
  return acceptInvitation(caller, params.key);
});
