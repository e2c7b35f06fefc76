import { route } from "@/lib/http/handler";
import { revokeShare } from "@/lib/shares/revoke-share";

export const dynamic = "force-dynamic";

export const DELETE = route<{ id: string }>(async ({ params, caller }) => revokeShare(caller, params.id));
