// GET /worker/permissions: what the worker checks every tool call against. The session's mode,
// the team's rules and the repository's together (a team's deny cannot be undone by a
// repository), the repository's hooks. Read from the rows each time (a person's change applies at
// the worker's next tool call); the live session caches the answer for a second.
import { db } from "../db/client";
import { AppError } from "../errors";
import { EMPTY_HOOKS, mergeRules, PermissionMode, type WorkerPermissions } from "../protocol/permissions";
import { storedHooks, storedRules } from "./stored";

export async function workerPermissions(sessionId: string): Promise<WorkerPermissions> {
  const s = await db().session.findUnique({
    where: { id: sessionId },
    select: { mode: true, teamId: true, team: { select: { rules: true } }, repository: { select: { id: true, teamId: true, rules: true, hooks: true } } },
  });
  if (!s) throw new AppError("not_found", "session not found");
  // A registration of another team can never be this session's (belt and braces: ids are random).
  const repo = s.repository && s.repository.teamId === s.teamId ? s.repository : null;
  const mode = PermissionMode.safeParse(s.mode);
  return {
    // A mode the row should never hold asks: the cautious reading.
    mode: mode.success ? mode.data : "ask",
    rules: mergeRules(storedRules(s.team.rules, `team ${s.teamId}`), repo ? storedRules(repo.rules, `repository ${repo.id}`) : null),
    hooks: (repo && storedHooks(repo.hooks, `repository ${repo.id}`)) ?? EMPTY_HOOKS,
  };
}
