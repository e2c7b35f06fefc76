// Approvals as the API and the worker see them.
import type { Approval } from "../db/generated/client";
import type { ApprovalDto, WorkerApprovalState } from "../protocol/permissions";
import { APPROVAL_KINDS, APPROVAL_STATUSES } from "../protocol/permissions";
import { storedMode } from "./stored";
import { suggestedRule } from "./suggest";

type Kind = (typeof APPROVAL_KINDS)[number];
type Status = (typeof APPROVAL_STATUSES)[number];
const status = (s: string): Status => ((APPROVAL_STATUSES as readonly string[]).includes(s) ? (s as Status) : "cancelled");

export function toApprovalDto(a: Approval): ApprovalDto {
  const kind: Kind = a.kind === "plan" ? "plan" : "tool";
  return {
    id: a.id,
    sessionId: a.sessionId,
    kind,
    tool: a.tool,
    input: a.input,
    reason: a.reason,
    status: status(a.status),
    message: a.message,
    requestedAt: a.requestedAt.toISOString(),
    decidedAt: a.decidedAt?.toISOString() ?? null,
    decidedBy: a.decidedBy,
    suggestedRule: suggestedRule(kind, a.tool, a.input),
  };
}

/** What the worker gets back: the status, the person's message, a plan approval's new mode. */
export function toWorkerState(a: Approval): WorkerApprovalState {
  const mode = storedMode(a.mode);
  return { id: a.id, status: status(a.status), ...(a.message ? { message: a.message } : {}), ...(mode && a.status === "approved" ? { mode } : {}) };
}
