// A person's decision on an approval (POST /api/approvals/:id), and the cancellation of what is
// still pending when a session stops. The approval row is claimed with a conditional update
// (pending → decided), so two people deciding at once get one decision and one 409.
import { recordAudit, type AuditAction } from "../audit/record";
import type { Access } from "../auth/authorize";
import { can } from "../auth/roles";
import { db } from "../db/client";
import type { Approval } from "../db/generated/client";
import { Prisma } from "../db/generated/client";
import { AppError } from "../errors";
import { ev, type NewEvent } from "../events/schema";
import type { AppendPlan, AppendResult, LockedSession } from "../events/store";
import type { ApprovalDecision, ApprovalDto, PermissionMode } from "../protocol/permissions";
import { RulesSchema } from "../protocol/permissions";
import { toApprovalDto } from "./dto";
import { isApprovalId } from "./requests";
import { storedRules } from "./stored";
import { suggestedRule } from "./suggest";
import { wakeApprovalPolls } from "./waiters";

/** What publishes a decision: the orchestrator (runtime().orchestrator). */
export interface ApprovalRecorder {
  /** Appends host events decided on the locked session row, publishes them and the row. */
  recordPlanned(sessionId: string, plan: (row: LockedSession) => AppendPlan): Promise<AppendResult>;
  /** Wakes the worker's waiting approval poll and drops cached permissions. */
  approvalDecided(sessionId: string): void;
}

/** Loads an approval for a decision; another team's (or no) approval is a 404. */
export async function findApproval(id: string): Promise<Approval | null> {
  return isApprovalId(id) ? db().approval.findUnique({ where: { id } }) : null;
}

const already = (a: Approval) =>
  a.status === "cancelled" ? `this approval was cancelled (${a.message ?? "the session stopped"})` : `this approval was already ${a.status}${a.decidedBy ? ` by ${a.decidedBy}` : ""}`;

/**
 * Approves or denies a pending approval of the caller's team. `remember` (tool approvals) adds the
 * call's suggested allow rule to the repository: that changes repository settings, so it needs
 * repo.manage (admin and up). An approved plan switches the session to `mode` (default ask).
 * When nothing else of the session is pending, the session is running again.
 */
export async function decideApproval(access: Access, approvalId: string, decision: ApprovalDecision, rec: ApprovalRecorder): Promise<ApprovalDto> {
  const a = await findApproval(approvalId);
  if (!a || a.teamId !== access.teamId) throw new AppError("not_found", "approval not found");
  if (a.status !== "pending") throw new AppError("conflict", already(a));
  const approve = decision.decision === "approve";
  if (decision.remember && !(approve && a.kind === "tool")) throw new AppError("invalid", "remember: only an approved tool call can be remembered as an allow rule");
  if (decision.mode && a.kind !== "plan") throw new AppError("invalid", "mode: only a plan approval sets the session's mode");
  if (decision.remember && !can(access.role, "repo.manage")) {
    throw new AppError("forbidden", `approve and remember adds an allow rule to the repository's settings, which needs admin or above (your role: ${access.role}); approve without remember`);
  }
  const session = await db().session.findUniqueOrThrow({ where: { id: a.sessionId }, select: { repositoryId: true, teamId: true } });
  let rule: string | undefined;
  if (decision.remember) {
    rule = suggestedRule(a.kind, a.tool, a.input) ?? undefined;
    if (!rule) throw new AppError("invalid", `remember: no allow rule can be made for this ${a.tool} call; approve without remember`);
    if (!session.repositoryId) throw new AppError("conflict", "this session's repository is no longer registered: its rules cannot be changed; approve without remember");
  }
  const mode: PermissionMode | undefined = a.kind === "plan" && approve ? (decision.mode ?? "ask") : undefined;
  const by = access.caller.user;
  const status = approve ? "approved" : "denied";
  const message = decision.message?.trim() || null;

  const added = await db().$transaction(async (tx) => {
    const claimed = await tx.approval.updateMany({
      where: { id: a.id, status: "pending" },
      data: { status, message, decidedById: by.id, decidedBy: by.name, decidedAt: new Date(), mode: mode ?? null },
    });
    if (!claimed.count) {
      const now = await tx.approval.findUniqueOrThrow({ where: { id: a.id } });
      throw new AppError("conflict", already(now));
    }
    if (mode) await tx.session.update({ where: { id: a.sessionId }, data: { mode } });
    return rule && session.repositoryId ? addAllowRule(tx, session.repositoryId, rule) : false;
  });

  const pendingLeft = await db().approval.count({ where: { sessionId: a.sessionId, status: "pending" } });
  const decided = ev("approval.decided", {
    approvalId: a.id,
    callId: a.callId,
    decision: status,
    by: by.name,
    ...(message ? { message } : {}),
    ...(rule ? { rule } : {}),
    ...(mode ? { mode } : {}),
  });
  try {
    await rec.recordPlanned(a.sessionId, (row) => {
      const events: NewEvent[] = [decided];
      if (mode) events.push(ev("mode", { mode, by: by.name }));
      if (!pendingLeft && row.status === "awaiting_approval") events.push(ev("status", { status: "running" }));
      return { events };
    });
  } finally {
    // The row is the truth for the worker: wake its poll whatever happened to the log.
    rec.approvalDecided(a.sessionId);
  }
  await recordAudit({
    teamId: access.teamId,
    actor: by,
    action: "approval.decided",
    targetType: "session",
    targetId: a.sessionId,
    data: { approvalId: a.id, kind: a.kind, tool: a.tool, decision: status, ...(rule ? { rule } : {}), ...(mode ? { mode } : {}), ...(message ? { message } : {}) },
  });
  if (rule && session.repositoryId) {
    await recordAudit({ teamId: access.teamId, actor: by, action: "repo.updated", targetType: "repository", targetId: session.repositoryId, data: { rules: { allowAdded: rule, alreadyThere: !added }, approvalId: a.id } });
  }
  return toApprovalDto(await db().approval.findUniqueOrThrow({ where: { id: a.id } }));
}

/** Adds `rule` to the repository's allow rules (row-locked read-modify-write); false when it was there. */
async function addAllowRule(tx: Prisma.TransactionClient, repositoryId: string, rule: string): Promise<boolean> {
  const [locked] = await tx.$queryRaw<{ rules: unknown }[]>`SELECT rules FROM repositories WHERE id = ${repositoryId} FOR UPDATE`;
  if (!locked) throw new AppError("conflict", "this session's repository is no longer registered: its rules cannot be changed");
  const rules = storedRules(locked.rules, `repository ${repositoryId}`) ?? { allow: [], ask: [], deny: [] };
  if (rules.allow.includes(rule)) return false;
  const next = RulesSchema.safeParse({ ...rules, allow: [...rules.allow, rule] });
  if (!next.success) throw new AppError("invalid", `remember: the repository's allow rules are full (${next.error.issues[0]?.message ?? "invalid"})`);
  await tx.repository.update({ where: { id: repositoryId }, data: { rules: next.data } });
  return true;
}

/**
 * Cancels what the session still waits on (it is stopping or ended): the rows become cancelled,
 * and the events to record say so. Nothing waits forever for a sandbox that is gone.
 */
export async function cancelPendingApprovals(sessionId: string, reason: string): Promise<NewEvent[]> {
  const pending = await db().approval.findMany({ where: { sessionId, status: "pending" }, orderBy: { requestedAt: "asc" } });
  const events: NewEvent[] = [];
  for (const a of pending) {
    const claimed = await db().approval.updateMany({ where: { id: a.id, status: "pending" }, data: { status: "cancelled", message: reason, decidedAt: new Date() } });
    if (claimed.count) events.push(ev("approval.decided", { approvalId: a.id, callId: a.callId, decision: "cancelled", message: reason }));
  }
  if (events.length) wakeApprovalPolls(sessionId);
  return events;
}
