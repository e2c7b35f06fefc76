// A repository's environment settings as the API reads and writes them (GET
// /api/repos/:id/environment, the environment fields of PATCH /api/repos/:id): its setup script,
// its egress overrides and its secrets (names and flags only).
import type { z } from "zod";
import { db } from "../db/client";
import { Prisma, type Repository } from "../db/generated/client";
import { effectiveEgress, type RepositoryEnvironmentDto, type RepositoryEnvironmentPatchSchema } from "../protocol/environments";
import { normalizeEgress, storedEgress } from "./egress-settings";
import { applySecrets, listSecrets, type SecretsChange } from "./secrets";

export { environmentAudit } from "./audit-data";

export type RepositoryEnvironmentPatch = z.infer<typeof RepositoryEnvironmentPatchSchema>;

export async function repositoryEnvironment(repo: Repository): Promise<RepositoryEnvironmentDto> {
  const team = await db().team.findUniqueOrThrow({ where: { id: repo.teamId }, select: { egress: true, allowRepoSetupScript: true } });
  const own = storedEgress(repo.egress, `repository ${repo.id}`);
  return {
    setupScript: repo.setupScript,
    allowRepoSetupScript: team.allowRepoSetupScript,
    egress: own,
    effectiveEgress: effectiveEgress(storedEgress(team.egress, `team ${repo.teamId}`), own),
    secrets: await listSecrets(repo.teamId, repo.id),
  };
}

/** The row fields a patch sets (undefined: unchanged). An empty script removes it; egress replaces the overrides whole. */
export function repositoryEnvironmentData(patch: RepositoryEnvironmentPatch): { setupScript?: string | null; egress?: Prisma.InputJsonValue | typeof Prisma.DbNull } {
  return {
    setupScript: patch.setupScript === undefined ? undefined : patch.setupScript?.trim() ? patch.setupScript : null,
    egress: patch.egress === undefined ? undefined : patch.egress === null || !Object.keys(patch.egress).length ? Prisma.DbNull : normalizeEgress(patch.egress),
  };
}

/** Applies the secrets of a patch in the caller's transaction; the rest goes through repositoryEnvironmentData. */
export function applyRepositorySecrets(tx: Prisma.TransactionClient, repo: Repository, patch: RepositoryEnvironmentPatch): Promise<SecretsChange> {
  return patch.secrets ? applySecrets(tx, repo.teamId, repo.id, patch.secrets) : Promise.resolve({});
}
