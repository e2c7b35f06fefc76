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
import { PermissionSettingsPatchSchema, type PermissionSettingsDto } from "../protocol/api";
import { rulesData, storedMode, storedRules } from "../approvals/stored";

/** PATCH /api/teams/:id: the team's settings, its environment defaults and its permissions (rules, defaultMode; null clears). */
export const UpdateTeamSettingsSchema = UpdateTeamInputSchema.extend({ ...TeamEnvironmentPatchSchema.shape, ...PermissionSettingsPatchSchema.shape });
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

/** The team's permission settings: rules every repository of the team adds to, and the default mode. */
export async function teamPermissions(teamId: string): Promise<PermissionSettingsDto> {
  const t = await db().team.findUniqueOrThrow({ where: { id: teamId }, select: { rules: true, defaultMode: true } });
  return { rules: storedRules(t.rules, `team ${teamId}`), defaultMode: storedMode(t.defaultMode) };
}

/** The team row fields a permissions patch sets (undefined: unchanged; null or no rules clears). */
export function teamPermissionsData(patch: z.infer<typeof PermissionSettingsPatchSchema>): { rules?: Prisma.InputJsonValue | typeof Prisma.DbNull; defaultMode?: string | null } {
  return { rules: rulesData(patch.rules), defaultMode: patch.defaultMode };
}
