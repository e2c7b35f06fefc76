// GET /api/sessions/:id/approvals: a session's approvals, newest first.
import { db } from "../db/client";
import type { ApprovalDto } from "../protocol/permissions";
import { toApprovalDto } from "./dto";

const MAX = 500;

export async function listApprovals(teamId: string, sessionId: string): Promise<{ approvals: ApprovalDto[] }> {
  const rows = await db().approval.findMany({ where: { sessionId, teamId }, orderBy: [{ requestedAt: "desc" }, { id: "desc" }], take: MAX });
  return { approvals: rows.map(toApprovalDto) };
}
