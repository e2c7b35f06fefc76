// Changes a registration: display name, protected branches, push token (set or cleared; never read back).
import { recordAudit } from "../audit/record";
import type { Access } from "../auth/authorize";
import { db } from "../db/client";
import type { Repository } from "../db/generated/client";
import { AppError } from "../errors";
import type { RepositoryDto, UpdateRepositoryInput } from "../protocol/repos";
import { seal } from "../review/credentials";
import { toRepositoryDto } from "./dto";

export async function updateRepository(access: Access, repo: Repository, patch: UpdateRepositoryInput): Promise<RepositoryDto> {
  if (patch.pushToken && repo.kind !== "https") throw new AppError("invalid", "push tokens are for https repositories; a local repository is pushed to directly");
  const pushSecret = patch.pushToken === undefined ? undefined : patch.pushToken === null ? null : seal(patch.pushToken);
  const row = await db().repository.update({
    where: { id: repo.id },
    data: { name: patch.name, protectedBranches: patch.protectedBranches, pushSecret },
  });
  // The audit says that the token changed, never what it is.
  const data: Record<string, unknown> = { name: patch.name, protectedBranches: patch.protectedBranches };
  if (patch.pushToken !== undefined) data.pushToken = patch.pushToken === null ? "cleared" : "set";
  await recordAudit({ teamId: access.teamId, actor: access.caller.user, action: "repo.updated", targetType: "repository", targetId: repo.id, data });
  return toRepositoryDto(row);
}
