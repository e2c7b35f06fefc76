// A session's approvals (tool calls and plans that needed a person), newest first.
import { listApprovals } from "@/lib/approvals/list";
import { authorizeSession } from "@/lib/auth/authorize";
import { route } from "@/lib/http/handler";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => {
  const { teamId } = await authorizeSession(caller, params.id, "session.read");
  return listApprovals(teamId, params.id);
});
