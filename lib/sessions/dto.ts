// Maps session rows to the API shape, and loads them. Every read goes through the team scope
// so that accounts (next issue) only have to supply the team.
import { db } from "../db/client";
import type { Session } from "../db/generated/client";
import { notFound } from "../errors";
import type { SessionDto } from "../protocol/api";
import type { SessionStatus } from "../events/schema";
import { PermissionMode } from "../protocol/permissions";
import { AttentionKind } from "../events/status";

/** The stored attention, when its kind is one we know (a row from a newer version may not be). */
function attentionOf(s: Session): SessionDto["attention"] {
  const kind = AttentionKind.safeParse(s.attention).data;
  if (!kind) return null;
  return { kind, reason: s.attentionReason ?? "", since: (s.attentionAt ?? s.updatedAt).toISOString() };
}

/** What every session read includes: its author, its routine and how many approvals wait for a person. */
export const SESSION_INCLUDE = {
  createdBy: { select: { id: true, name: true } },
  routine: { select: { id: true, name: true } },
  _count: { select: { approvals: { where: { status: "pending" } } } },
} as const;

type SessionRow = Session & { createdBy?: { id: string; name: string } | null; routine?: { id: string; name: string } | null; _count?: { approvals: number } };

export function toDto(s: SessionRow): SessionDto {
  return {
    id: s.id,
    teamId: s.teamId,
    repo: s.repo,
    baseBranch: s.baseBranch,
    baseCommit: s.baseCommit,
    branch: s.branch,
    headCommit: s.headCommit,
    prompt: s.prompt,
    model: s.model,
    status: s.status as SessionStatus,
    failureReason: s.failureReason,
    inputTokens: s.inputTokens,
    outputTokens: s.outputTokens,
    // input_tokens on the row counts cache reads and writes too (as the list always showed).
    usage: {
      inputTokens: Math.max(0, s.inputTokens - s.cacheReadTokens - s.cacheWriteTokens),
      outputTokens: s.outputTokens,
      cacheReadTokens: s.cacheReadTokens,
      cacheWriteTokens: s.cacheWriteTokens,
      costUsd: s.costUsd,
    },
    budgetUsd: s.budgetUsd,
    thinkingBudget: s.thinkingBudget,
    lastSeq: s.lastSeq,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    endedAt: s.endedAt?.toISOString() ?? null,
    reviewState: s.reviewState as SessionDto["reviewState"],
    mergedCommit: s.mergedCommit,
    createdBy: s.createdBy ? { id: s.createdBy.id, name: s.createdBy.name } : null,
    mode: PermissionMode.safeParse(s.mode).data ?? "ask",
    pendingApprovals: s._count?.approvals ?? 0,
    routine: s.routine ? { id: s.routine.id, name: s.routine.name } : null,
    attention: attentionOf(s),
  };
}

const ID_RE = /^[a-z0-9]{6,32}$/;

/** Loads a session of the team or throws 404 (also for ids that cannot exist). */
export async function getSession(teamId: string, id: string): Promise<Session & { createdBy: { id: string; name: string } | null; routine: { id: string; name: string } | null; _count: { approvals: number } }> {
  if (!ID_RE.test(id)) throw notFound("session");
  const s = await db().session.findFirst({ where: { id, teamId }, include: SESSION_INCLUDE });
  if (!s) throw notFound("session");
  return s;
}
