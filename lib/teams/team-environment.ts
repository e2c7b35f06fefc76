// The team's environment defaults (GET /api/teams/:id/environment, the environment fields of
// PATCH /api/teams/:id): egress policy, whether repositories' own setup scripts run, team-wide
// secrets (names and flags only).
import type { z } from "zod";
import { db } from "../db/client";
import { Prisma } from "../db/generated/client";
import { normalizeEgress, storedEgress } from "../environments/egress-settings";
import { listSecrets } from "../environments/secrets";
import { effectiveEgress, TeamEnvironmentPatchSchema, type TeamEnvironmentDto } from "../protocol/environments";
import { UpdateTeamInputSchema } from "../protocol/teams";

/** PATCH /api/teams/:id: the team's settings and its environment defaults. */
export const UpdateTeamSettingsSchema = UpdateTeamInputSchema.extend({ ...TeamEnvironmentPatchSchema.shape });
export type UpdateTeamSettings = z.infer<typeof UpdateTeamSettingsSchema>;
export type TeamEnvironmentPatch = z.infer<typeof TeamEnvironmentPatchSchema>;

export async function teamEnvironment(teamId: string): Promise<TeamEnvironmentDto> {
  const t = await db().team.findUniqueOrThrow({ where: { id: teamId }, select: { egress: true, allowRepoSetupScript: true } });
  const egress = storedEgress(t.egress, `team ${teamId}`);
  return { egress, effectiveEgress: effectiveEgress(egress, null), allowRepoSetupScript: t.allowRepoSetupScript, secrets: await listSecrets(teamId, null) };
}

/** The team row fields a patch sets (undefined: unchanged); egress replaces the stored default whole, null or {} removes it. */
export function teamEnvironmentData(patch: TeamEnvironmentPatch): { egress?: Prisma.InputJsonValue | typeof Prisma.DbNull; allowRepoSetupScript?: boolean } {
  return {
    egress: patch.egress === undefined ? undefined : patch.egress === null || !Object.keys(patch.egress).length ? Prisma.DbNull : normalizeEgress(patch.egress),
    allowRepoSetupScript: patch.allowRepoSetupScript,
  };
}
