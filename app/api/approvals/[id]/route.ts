// A person's decision on an approval: approve (optionally remembering an allow rule for the
// repository, which needs admin) or deny, with a message for the agent. Viewers 403, outsiders 404.
import { decideApproval, findApproval } from "@/lib/approvals/decide";
import { authorize } from "@/lib/auth/authorize";
import { AppError } from "@/lib/errors";
import { readJson, route } from "@/lib/http/handler";
import { ApprovalDecisionSchema } from "@/lib/protocol/permissions";
import { runtime } from "@/lib/runtime/boot";

export const dynamic = "force-dynamic";

export const POST = route<{ id: string }>(async ({ req, params, caller }) => {
  const approval = await findApproval(params.id);
  if (!approval) throw new AppError("not_found", "approval not found");
  const access = await authorize(caller, approval.teamId, "session.approve", "approval not found");
  return decideApproval(access, params.id, await readJson(req, ApprovalDecisionSchema), runtime().orchestrator);
});
