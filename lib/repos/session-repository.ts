// A session's registration, for protection and shipping: the row it was started on, or (for rows
// older than registrations, or registered again after a removal) the team's registration of its repo.
import type { Access } from "../auth/authorize";
import { atLeast } from "../auth/roles";
import { db } from "../db/client";
import type { Repository } from "../db/generated/client";
import { AppError } from "../errors";
import { repoKey } from "../git/repo-source";

export interface SessionRepoRef {
  teamId: string;
  repo: string;
  repositoryId?: string | null;
}

export async function sessionRepository(s: SessionRepoRef): Promise<Repository | null> {
  if (s.repositoryId) {
    const r = await db().repository.findUnique({ where: { id: s.repositoryId } });
    if (r && r.teamId === s.teamId) return r;
  }
  return db().repository.findUnique({ where: { teamId_location: { teamId: s.teamId, location: repoKey(s.repo) } } });
}

/** Whether the session's base branch is protected by its registration. */
export async function isProtectedBase(sessionId: string): Promise<boolean> {
  const s = await db().session.findUnique({ where: { id: sessionId }, select: { teamId: true, repo: true, repositoryId: true, baseBranch: true } });
  if (!s) return false;
  return (await sessionRepository(s))?.protectedBranches.includes(s.baseBranch) ?? false;
}

/** Pushing and fetching the origin's base need the registration too (it holds the origin's credentials). */
export async function assertRegistered(s: SessionRepoRef): Promise<Repository> {
  const repo = await sessionRepository(s);
  if (!repo) throw new AppError("conflict", "this session's repository is no longer registered to your team: an admin can add it again in Settings → Repositories");
  return repo;
}

/** Merge rights belong to the registration: it must still exist, and protected bases need admin or owner. */
export async function assertMayMerge(access: Access, s: SessionRepoRef & { baseBranch: string }): Promise<void> {
  const repo = await sessionRepository(s);
  if (!repo) throw new AppError("conflict", "this session's repository is no longer registered to your team: an admin can add it again in Settings → Repositories");
  if (repo.protectedBranches.includes(s.baseBranch) && !atLeast(access.role, "admin")) {
    throw new AppError("forbidden", `${s.baseBranch} is protected: only admins and owners can merge into it`);
  }
}
