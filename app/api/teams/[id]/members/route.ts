import { authorize } from "@/lib/auth/authorize";
import { route } from "@/lib/http/handler";
import { listMembers } from "@/lib/teams/members";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => ({
  members: await listMembers(await authorize(caller, params.id, "team.read", "team not found")),
}));
