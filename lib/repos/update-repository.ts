// Changes a registration: display name, protected branches, push token (set or cleared; never read
// back), its environment: setup script, egress overrides, secrets (write-only), and its
// permissions: rules, hooks, default mode. One transaction, one audit entry. Running sessions see
// new rules and hooks at their next tool call (the worker asks before each one).
import { recordAudit } from "../audit/record";
import type { Access } from "../auth/authorize";
import { db } from "../db/client";
import type { Repository } from "../db/generated/client";
import { applyRepositorySecrets, environmentAudit, repositoryEnvironment, repositoryEnvironmentData } from "../environments/repository-environment";
import { AppError } from "../errors";
import type { RepositoryDetailDto, UpdateRepositoryInput } from "../protocol/repos";
import { seal } from "../review/credentials";
import { toRepositoryDto } from "./dto";
import { hooksData, rulesData } from "../approvals/stored";

export async function updateRepository(access: Access, repo: Repository, patch: UpdateRepositoryInput): Promise<RepositoryDetailDto> {
  if (patch.pushToken && repo.kind !== "https") throw new AppError("invalid", "push tokens are for https repositories; a local repository is pushed to directly");
  const pushSecret = patch.pushToken === undefined ? undefined : patch.pushToken === null ? null : seal(patch.pushToken);
  const { row, secrets } = await db().$transaction(async (tx) => {
    const row = await tx.repository.update({
      where: { id: repo.id },
      data: {
        name: patch.name,
        protectedBranches: patch.protectedBranches,
        pushSecret,
        ...repositoryEnvironmentData(patch),
        rules: rulesData(patch.rules),
        hooks: hooksData(patch.hooks),
        defaultMode: patch.defaultMode,
      },
    });
    return { row, secrets: await applyRepositorySecrets(tx, repo, patch) };
  });
  // The audit says that the token, the script or a secret changed, never what it is.
  const data: Record<string, unknown> = { name: patch.name, protectedBranches: patch.protectedBranches, ...environmentAudit(patch, secrets) };
  if (patch.pushToken !== undefined) data.pushToken = patch.pushToken === null ? "cleared" : "set";
  // Rules and hooks are settings, not secrets: the trail keeps what they became.
  if (patch.rules !== undefined) data.rules = patch.rules ?? "cleared";
  if (patch.hooks !== undefined) data.hooks = patch.hooks ?? "cleared";
  if (patch.defaultMode !== undefined) data.defaultMode = patch.defaultMode;
  await recordAudit({ teamId: access.teamId, actor: access.caller.user, action: "repo.updated", targetType: "repository", targetId: repo.id, data });
  return { ...toRepositoryDto(row), environment: await repositoryEnvironment(row) };
}
