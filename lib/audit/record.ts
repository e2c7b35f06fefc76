// The audit trail: who did what in a team. Append-only; written next to the action it records.
import { db } from "../db/client";

export type AuditAction =
  | "session.started"
  | "session.stopped"
  | "session.message"
  | "session.merged"
  | "session.merge_overridden"
  | "session.pushed"
  | "session.reset"
  | "session.budget_changed"
  | "session.mode_changed"
  | "session.deleted"
  | "approval.decided"
  | "webhook.created"
  | "webhook.deleted"
  | "review.submitted"
  | "share.created"
  | "share.revoked"
  | "member.added"
  | "member.role_changed"
  | "member.removed"
  | "invite.created"
  | "invite.accepted"
  | "invite.revoked"
  | "token.created"
  | "token.revoked"
  | "team.created"
  | "team.updated"
  | "team.budget_changed"
  | "team.deleted"
  | "repo.registered"
  | "repo.updated"
  | "repo.removed"
  | "memory.written"
  | "memory.changed"
  | "memory.consolidated"
  | "routine.created"
  | "routine.updated"
  | "routine.deleted"
  | "routine.fired"
  | "routine.token_rotated"
  | "alert.resolved";

export interface AuditInput {
  teamId: string;
  actor: { id: string; name: string } | null;
  action: AuditAction;
  targetType: string;
  targetId: string;
  data?: Record<string, unknown>;
}

export async function recordAudit(a: AuditInput): Promise<void> {
  await db().auditEntry.create({
    data: {
      teamId: a.teamId,
      actorId: a.actor?.id ?? null,
      actorName: a.actor?.name ?? null,
      action: a.action,
      targetType: a.targetType,
      targetId: a.targetId,
      data: (a.data ?? {}) as object,
    },
  });
}

/**
 * A change to a team's or a repository's settings (repo.updated or team.updated) under `what`,
 * recorded only when something changed; `change` names what changed, never a secret value.
 */
export async function recordSettingsChange(access: { teamId: string; caller: { user: { id: string; name: string } } }, repositoryId: string | null, what: string, change: Record<string, string>): Promise<void> {
  if (!Object.keys(change).length) return;
  await recordAudit({
    teamId: access.teamId,
    actor: access.caller.user,
    action: repositoryId ? "repo.updated" : "team.updated",
    targetType: repositoryId ? "repository" : "team",
    targetId: repositoryId ?? access.teamId,
    data: { [what]: change },
  });
}
