// Rows for the routines tests: a team with a registered local repository and a member who
// creates routines (runs are sessions of theirs), plus API tokens per role for route tests.
import { makeRepo } from "../../test/fixtures";
import type { Access } from "../auth/authorize";
import type { Caller } from "../auth/caller";
import type { Role } from "../auth/roles";
import { createApiToken } from "../auth/tokens";
import { parseRepoSource } from "../git/repo-source";
import { makeMember, makeTeam } from "../history/test-fixtures";
import { RoutineCreateSchema } from "../protocol/routines";
import { registerRepository } from "../repos/register-repository";
import { createRoutine } from "./create-routine";

export interface RoutineWorld {
  teamId: string;
  repo: string;
  repositoryId: string;
  creator: Caller;
  access: Access;
}

export async function routineWorld(files?: Record<string, string>): Promise<RoutineWorld> {
  const teamId = await makeTeam();
  const repo = makeRepo(files);
  const registration = await registerRepository({ teamId, actor: null, source: parseRepoSource(repo) });
  const creator = await makeMember(teamId, "member", "Routine Author");
  return { teamId, repo, repositoryId: registration.id, creator, access: { caller: creator, teamId, role: "member" } };
}

/** A routine of the world's creator on its repository (`input` as POST /api/routines takes it). */
export async function makeRoutine(w: RoutineWorld, input: Record<string, unknown>, now?: Date) {
  return createRoutine(w.access, RoutineCreateSchema.parse({ repo: w.repositoryId, ...input }), now);
}

/** An API token of a new member with `role` in the team. */
export async function tokenFor(teamId: string, role: Role): Promise<{ token: string; userId: string }> {
  const m = await makeMember(teamId, role, `${role} person`);
  return { token: (await createApiToken(m.user.id, teamId, role)).token, userId: m.user.id };
}
