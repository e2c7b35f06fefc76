// Secrets of a team (repositoryId null) or of one repository, sealed at rest with the server
// secret. Written through PATCH /api/teams/:id and PATCH /api/repos/:id, read back by name only;
// their values go to a session's setup phase (all of them) and to the agent's environment (those
// marked `agent`), nowhere else. Audit entries say "set" or "deleted", never a value.
import crypto from "node:crypto";
import { recordSettingsChange } from "../audit/record";
import type { Access } from "../auth/authorize";
import { db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { AppError } from "../errors";
import type { SecretDto, SecretsPatch } from "../protocol/environments";
import { open, seal } from "../review/credentials";

export { maskDeep, maskDeepWith, maskSecrets, masker } from "./mask";

type Tx = Prisma.TransactionClient;

/** What a change did to each secret, for the audit trail (never a value). */
export type SecretsChange = Record<string, "set" | "deleted" | "agent on" | "agent off">;

/** Sets, flags and deletes secrets as the patch says, audited (repo.updated or team.updated). */
export async function updateSecrets(access: Access, repositoryId: string | null, patch: SecretsPatch): Promise<SecretsChange> {
  if (repositoryId) {
    const repo = await db().repository.findUnique({ where: { id: repositoryId }, select: { teamId: true } });
    if (!repo || repo.teamId !== access.teamId) throw new AppError("not_found", "repository not found");
  }
  const change = await db().$transaction((tx) => applySecrets(tx, access.teamId, repositoryId, patch));
  await recordSettingsChange(access, repositoryId, "secrets", change);
  return change;
}

/**
 * The patch applied inside the caller's transaction (one PATCH, one transaction, one audit entry).
 *  - "value": set the value; `agent` becomes false (say {value, agent: true} to keep it for the agent);
 *  - {value?, agent?}: set what is given, keep the rest (a new secret needs a value; agent defaults to false);
 *  - null: delete.
 */
export async function applySecrets(tx: Tx, teamId: string, repositoryId: string | null, patch: SecretsPatch): Promise<SecretsChange> {
  const change: SecretsChange = {};
  const now = new Date();
  for (const [name, input] of Object.entries(patch)) {
    const where = { teamId, repositoryId, name };
    if (input === null) {
      const { count } = await tx.secret.deleteMany({ where });
      if (count) change[name] = "deleted";
      continue;
    }
    const given = typeof input === "string" ? { value: input, agent: false } : input;
    const existing = await tx.secret.findFirst({ where, select: { id: true, agent: true } });
    if (!existing) {
      if (given.value === undefined) {
        const scope = repositoryId ? "this repository has" : "the team has";
        throw new AppError("invalid", `secrets.${name}: ${scope} no secret ${name} to change; give its value to create it ({"value": "...", "agent": ${given.agent ?? false}})`);
      }
      await createSecret(tx, { ...where, sealed: seal(given.value), agent: given.agent ?? false, updatedAt: now });
      change[name] = "set";
      continue;
    }
    if (given.value === undefined && (given.agent === undefined || given.agent === existing.agent)) continue;
    await tx.secret.update({
      where: { id: existing.id },
      data: { ...(given.value !== undefined ? { sealed: seal(given.value) } : {}), ...(given.agent !== undefined ? { agent: given.agent } : {}), updatedAt: now },
    });
    change[name] = given.value !== undefined ? "set" : given.agent ? "agent on" : "agent off";
  }
  return change;
}

async function createSecret(tx: Tx, data: { teamId: string; repositoryId: string | null; name: string; sealed: string; agent: boolean; updatedAt: Date }): Promise<void> {
  try {
    await tx.secret.create({ data: { id: crypto.randomUUID(), ...data } });
  } catch (err) {
    if ((err as { code?: string }).code === "P2002") throw new AppError("conflict", `secrets.${data.name} was created by someone else at the same time; reload and try again`);
    throw err;
  }
}

/** The secrets of a team (repositoryId null) or of one repository: names and flags, never values. */
export async function listSecrets(teamId: string, repositoryId: string | null): Promise<SecretDto[]> {
  const rows = await db().secret.findMany({ where: { teamId, repositoryId }, select: { name: true, agent: true, updatedAt: true }, orderBy: { name: "asc" } });
  return rows.map((r) => ({ name: r.name, agent: r.agent, updatedAt: r.updatedAt.toISOString() }));
}

export interface SessionSecret {
  name: string;
  value: string;
  agent: boolean;
}

/** The values a session on `repositoryId` gets: the team's, overridden by the repository's of the same name. */
export async function sessionSecrets(teamId: string, repositoryId: string | null): Promise<SessionSecret[]> {
  const rows = await db().secret.findMany({
    where: { teamId, OR: [{ repositoryId: null }, ...(repositoryId ? [{ repositoryId }] : [])] },
    select: { name: true, sealed: true, agent: true, repositoryId: true },
  });
  const byName = new Map<string, SessionSecret>();
  // Team-wide first, so the repository's of the same name replace them.
  for (const r of rows.sort((a, b) => Number(a.repositoryId !== null) - Number(b.repositoryId !== null))) {
    let value: string;
    try {
      value = open(r.sealed);
    } catch {
      // Sealed under another server secret (the data directory was moved without it): unusable, not fatal.
      console.warn(`[secrets] ${r.name} of team ${teamId} cannot be opened with this server's secret; set it again`);
      continue;
    }
    byName.set(r.name, { name: r.name, value, agent: r.agent });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
