// API tokens: per user, scoped to one team, shown once, revocable. The secret is 256 random
// bits; only its SHA-256 is stored (a slow hash adds nothing for a secret this long).
import crypto from "node:crypto";
import { db } from "../db/client";
import { AppError } from "../errors";
import { recordAudit } from "../audit/record";
import { publisher } from "../realtime/bus";

export const TOKEN_PREFIX = "dsk_";
/** A routine's webhook token: good for POST /api/routines/:id/fire only (lib/routines/token.ts). */
export const ROUTINE_TOKEN_PREFIX = "rt_";

export const hashSecret = (secret: string) => crypto.createHash("sha256").update(secret).digest("hex");

export function newSecret(prefix: string): string {
  return prefix + crypto.randomBytes(32).toString("base64url");
}

export interface CreatedToken {
  id: string;
  name: string;
  teamId: string;
  token: string;
  prefix: string;
  createdAt: string;
}

/** Creates a token for a member of the team; the plain token is returned once, never stored. */
export async function createApiToken(userId: string, teamId: string, name: string): Promise<CreatedToken> {
  const member = await db().member.findUnique({ where: { teamId_userId: { teamId, userId } }, include: { user: true } });
  if (!member) throw new AppError("not_found", "team not found, or you are not a member of it");
  const token = newSecret(TOKEN_PREFIX);
  const row = await db().apiToken.create({
    data: { id: crypto.randomUUID(), userId, teamId, name, tokenHash: hashSecret(token), prefix: token.slice(0, 10) },
  });
  await recordAudit({ teamId, actor: member.user, action: "token.created", targetType: "token", targetId: row.id, data: { name } });
  return { id: row.id, name, teamId, token, prefix: row.prefix, createdAt: row.createdAt.toISOString() };
}

/** Revokes a token; `byUserId` must own it unless null (the CLI, run by the operator). */
export async function revokeApiToken(id: string, byUserId: string | null): Promise<void> {
  const row = await db().apiToken.findUnique({ where: { id }, include: { user: true } });
  if (!row || (byUserId && row.userId !== byUserId)) throw new AppError("not_found", "token not found (already deleted, or another person's)");
  if (!row.revokedAt) await db().apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
  publisher().revoke({ tokenId: id });
  await recordAudit({ teamId: row.teamId, actor: row.user, action: "token.revoked", targetType: "token", targetId: id, data: { name: row.name } });
}

/** The token's user and team, or null when unknown or revoked. */
export async function verifyApiToken(token: string): Promise<{ tokenId: string; userId: string; teamId: string } | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const row = await db().apiToken.findUnique({ where: { tokenHash: hashSecret(token) } });
  if (!row || row.revokedAt) return null;
  // Best effort and throttled: a hot token must not write on every request.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    void db().apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => {});
  }
  return { tokenId: row.id, userId: row.userId, teamId: row.teamId };
}
