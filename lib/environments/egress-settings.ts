// The egress policy a session gets: the repository's overrides over its team's default, over the
// built-in default (lib/protocol/environments.ts). Stored as JSON on the team and repository rows.
import { db } from "../db/client";
import { AppError } from "../errors";
import { EgressPatchSchema, effectiveEgress, type EgressPatch, type EgressPolicy } from "../protocol/environments";

/** The stored overrides, or {} when there are none; JSON that no longer parses counts as none (with a warning). */
export function storedEgress(json: unknown, what: string): EgressPatch {
  if (json === null || json === undefined) return {};
  const parsed = EgressPatchSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  console.warn(`[egress] ignoring the stored egress settings of ${what}: they no longer parse (${parsed.error.issues[0]?.message ?? "invalid"})`);
  return {};
}

/** An override as it is stored: allowlist entries deduplicated in the order given. */
export function normalizeEgress(p: EgressPatch): EgressPatch {
  return p.allow ? { ...p, allow: [...new Set(p.allow)] } : p;
}

/** The policy of a session on `repositoryId` (null: the team's default). */
export async function sessionEgress(teamId: string, repositoryId: string | null): Promise<EgressPolicy> {
  const team = await db().team.findUnique({ where: { id: teamId }, select: { egress: true } });
  if (!team) throw new AppError("not_found", "team not found");
  const repo = repositoryId ? await db().repository.findUnique({ where: { id: repositoryId }, select: { teamId: true, egress: true } }) : null;
  const own = repo && repo.teamId === teamId ? storedEgress(repo.egress, `repository ${repositoryId}`) : {};
  return effectiveEgress(storedEgress(team.egress, `team ${teamId}`), own);
}
