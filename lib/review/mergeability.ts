// Whether a session can be merged, and what merging it would do, answered before anyone clicks:
// the rules the merge itself enforces (lib/review/session-ops.ts) live here once, and the git
// part (merge-tree in host.git, cachedPreview in ship.ts) is cached by (base head, branch head), so
// polling it costs a fetch.
import type { Access } from "../auth/authorize";
import { db } from "../db/client";
import { AppError } from "../errors";
import { isWorking } from "../events/status";
import { hasHostRepo, hostBranchHead, hostRepoPath } from "../git/host-repo";
import type { Mergeability } from "../protocol/review";
import { cachedPreview, prepare, type Preview, type ShipContext } from "./ship";

export interface GuardSession {
  status: string;
  reviewState: string;
  baseBranch: string;
}

const WORKING = "the agent is working on this branch; wait until it is idle, or stop it";

/** Why merging is refused whatever the person says (already merged, the agent working); else null. */
export function hardBlock(s: GuardSession): string | null {
  if (s.reviewState === "merged") return `this session is already merged into ${s.baseBranch}; nothing new to merge`;
  if (isWorking(s.status)) return WORKING;
  return null;
}

/** Why the branch itself cannot merge (nothing to merge, conflicts); else null. */
export function branchBlock(p: Preview, baseBranch: string): string | null {
  if (p.ahead === 0) return `nothing to merge: the branch has no commits beyond ${baseBranch}`;
  if (p.unchanged) return `nothing to merge: ${baseBranch} already has every change on this branch`;
  if (p.conflicts.length) return `conflicts in ${p.conflicts.join(", ")}; ask the agent to rebase`;
  return null;
}

/** What a merge must override with a reason: changes requested, unresolved threads; else null. */
export function overrideNeeded(reviewState: string, unresolved: number): string | null {
  const parts: string[] = [];
  if (reviewState === "changes_requested") parts.push("changes were requested");
  if (unresolved > 0) parts.push(`${unresolved} review thread${unresolved === 1 ? " is" : "s are"} unresolved`);
  return parts.length ? parts.join(" and ") : null;
}

export const shipContext = (s: { id: string; teamId: string; repo: string; baseBranch: string; branch: string; repositoryId: string | null }): ShipContext => ({
  sessionId: s.id,
  teamId: s.teamId,
  repo: s.repo,
  baseBranch: s.baseBranch,
  branch: s.branch,
  repositoryId: s.repositoryId,
});

function summaryLine(base: string, p: Preview | null, blocked: string | null): string {
  if (!p) return blocked ?? "";
  const parts: string[] = [];
  if (p.behind > 0) parts.push(`${base} moved ${p.behind} commit${p.behind === 1 ? "" : "s"}`);
  if (p.conflicts.length) parts.push(`conflicts in ${p.conflicts.join(", ")}`);
  else if (p.ahead > 0 && !p.unchanged) parts.push(`${p.ahead} commit${p.ahead === 1 ? "" : "s"} and ${p.files} file${p.files === 1 ? "" : "s"} to merge${p.behind > 0 ? ", no conflicts" : ""}`);
  else parts.push("nothing to merge");
  return parts.join("; ");
}

export async function mergeability(access: Access, id: string): Promise<Mergeability> {
  const s = await db().session.findFirst({ where: { id, teamId: access.teamId } });
  if (!s) throw new AppError("not_found", "session not found");
  const [unresolved, mergedBy] = await Promise.all([
    db().reviewThread.count({ where: { sessionId: id, resolvedAt: null } }),
    s.mergedById ? db().user.findUnique({ where: { id: s.mergedById }, select: { name: true } }) : null,
  ]);
  const merged = s.reviewState === "merged" ? { at: (s.mergedAt ?? s.updatedAt).toISOString(), by: mergedBy?.name ?? null } : null;
  const needsOverride = overrideNeeded(s.reviewState, unresolved);
  const empty = { baseBranch: s.baseBranch, baseHead: null, head: null, mergeBase: null, commits: 0, files: 0, behind: 0, conflicts: [], needsOverride, merged };
  const ship = hostRepoPath(id);
  if (!s.baseCommit || !hasHostRepo(ship) || !(await hostBranchHead(ship, s.branch))) {
    const blocked = "nothing to merge: the agent has not committed anything yet";
    return { ...empty, blocked, summary: blocked };
  }
  const { base, head } = await prepare(shipContext(s));
  const p = await cachedPreview(ship, base, head);
  const blocked = hardBlock(s) ?? branchBlock(p, s.baseBranch);
  return {
    ...empty,
    baseHead: base,
    head,
    mergeBase: p.mergeBase,
    commits: p.ahead,
    files: p.files,
    behind: p.behind,
    conflicts: p.conflicts,
    blocked,
    summary: merged ? `merged into ${s.baseBranch}${merged.by ? ` by ${merged.by}` : ""}` : summaryLine(s.baseBranch, p, blocked),
  };
}
