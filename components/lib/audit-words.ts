// Audit actions as the verb of a sentence: "<who> <verb> <target>". An action added later
// without words here still reads, as its code.
const VERBS: Record<string, string> = {
  "session.started": "started the session",
  "session.stopped": "stopped the session",
  "session.message": "sent a message to the session",
  "session.merged": "merged the session",
  "session.pushed": "pushed the branch of the session",
  "session.reset": "reset the session to a checkpoint",
  "session.budget_changed": "changed the budget of the session",
  "session.mode_changed": "changed the permission mode of the session",
  "session.deleted": "deleted the session",
  "approval.decided": "decided an approval in the session",
  "review.submitted": "reviewed the session",
  "webhook.created": "added the",
  "webhook.deleted": "deleted the",
  "share.created": "created a",
  "share.revoked": "revoked the",
  "member.added": "added",
  "member.role_changed": "changed the role of",
  "member.removed": "removed",
  "invite.created": "created an",
  "invite.accepted": "joined through an",
  "invite.revoked": "revoked an",
  "token.created": "created",
  "token.revoked": "revoked",
  "team.created": "created the team",
  "team.updated": "changed the settings of",
  "team.budget_changed": "changed the budget of",
  "team.deleted": "deleted the team",
  "repo.registered": "registered the repository",
  "repo.updated": "changed the settings of the repository",
  "repo.removed": "removed the repository",
  "memory.written": "wrote",
  "memory.changed": "changed",
  "memory.consolidated": "decided on",
  "routine.created": "created the routine",
  "routine.updated": "changed the routine",
  "routine.deleted": "deleted the routine",
  "routine.fired": "ran the routine",
  "routine.token_rotated": "made a new webhook token for the routine",
  "alert.resolved": "resolved the alert",
};

// When the person acted on themselves ("Ada added Ada" is how joining is recorded).
const SELF_VERBS: Record<string, string> = {
  "member.added": "joined the team",
  "member.removed": "left the team",
  "member.role_changed": "changed their own role",
};

/** The verb, and whether the sentence still names the target after it. */
export function auditVerb(e: { action: string; actorId: string | null; targetType: string; targetId: string }): { verb: string; namesTarget: boolean } {
  const self = e.targetType === "user" && e.actorId === e.targetId ? SELF_VERBS[e.action] : undefined;
  return self ? { verb: self, namesTarget: false } : { verb: VERBS[e.action] ?? e.action, namesTarget: true };
}

/** Details the entry recorded, as short `key: value` text without the ids the target already names. */
export function auditDetails(data: Record<string, unknown>): string {
  return Object.entries(data)
    .filter(([k]) => !/(Id|Ids)$/.test(k))
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
}
