// Invitation links: no mail server, the link is shown to copy. Only a hash of the secret is
// stored; a link works once, for seven days, unless revoked.
import crypto from "node:crypto";
import { env } from "../config/env";
import { db } from "../db/client";
import { AppError } from "../errors";
import { recordAudit } from "../audit/record";
import type { Access } from "../auth/authorize";
import type { Caller } from "../auth/caller";
import { atLeast, Role } from "../auth/roles";
import { hashSecret, newSecret } from "../auth/tokens";
import type { InvitationDto, InvitationOfferDto } from "../protocol/teams";
import { joinTeam } from "./members";

const TTL_MS = 7 * 24 * 3600 * 1000;

type Row = { id: string; role: string; createdAt: Date; expiresAt: Date; acceptedAt: Date | null; revokedAt: Date | null };
const toDto = (r: Row, url?: string, names?: { createdBy: string | null; acceptedBy: string | null }): InvitationDto => ({
  id: r.id,
  role: Role.parse(r.role),
  createdAt: r.createdAt.toISOString(),
  expiresAt: r.expiresAt.toISOString(),
  acceptedAt: r.acceptedAt?.toISOString() ?? null,
  revokedAt: r.revokedAt?.toISOString() ?? null,
  ...(names ?? {}),
  ...(url ? { url } : {}),
});

export async function createInvitation(access: Access, role: Role): Promise<InvitationDto> {
  if (atLeast(role, "admin") && access.role !== "owner") throw new AppError("forbidden", `only an owner can invite someone as ${role}: invite them as member or viewer, or ask an owner`);
  const token = newSecret("inv_");
  const row = await db().invitation.create({
    data: { id: crypto.randomUUID(), teamId: access.teamId, role, tokenHash: hashSecret(token), createdById: access.caller.user.id, expiresAt: new Date(Date.now() + TTL_MS) },
  });
  await recordAudit({ teamId: access.teamId, actor: access.caller.user, action: "invite.created", targetType: "invitation", targetId: row.id, data: { role } });
  return toDto(row, `${env().publicUrl.replace(/\/$/, "")}/invite/${token}`);
}

export async function listInvitations(access: Access): Promise<InvitationDto[]> {
  const rows = await db().invitation.findMany({ where: { teamId: access.teamId }, orderBy: { createdAt: "desc" }, take: 100 });
  const ids = [...new Set(rows.flatMap((r) => [r.createdById, r.acceptedById ?? ""]).filter(Boolean))];
  const users = new Map((await db().user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((u) => [u.id, u.name]));
  const nameOf = (id: string | null) => (id ? (users.get(id) ?? null) : null);
  return rows.map((r) => toDto(r, undefined, { createdBy: nameOf(r.createdById), acceptedBy: nameOf(r.acceptedById) }));
}

export async function revokeInvitation(access: Access, id: string): Promise<void> {
  const row = await db().invitation.findFirst({ where: { id, teamId: access.teamId } });
  if (!row) throw new AppError("not_found", "this invitation link is not in this team any more: reload the list");
  await db().invitation.update({ where: { id }, data: { revokedAt: new Date() } });
  await recordAudit({ teamId: access.teamId, actor: access.caller.user, action: "invite.revoked", targetType: "invitation", targetId: id });
}

async function findByToken(token: string) {
  if (!token.startsWith("inv_") || token.length > 200) return null;
  return db().invitation.findUnique({ where: { tokenHash: hashSecret(token) }, include: { team: true } });
}

const ASK_AGAIN = "ask an admin of the team for a new link";
const NOT_FOUND = "this invitation link does not exist: check that you copied all of it, or ask for a new one";

function unusable(row: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date }): string | null {
  if (row.revokedAt) return `this invitation link was revoked; ${ASK_AGAIN}`;
  if (row.acceptedAt) return `this invitation link was already used (each link works once); ${ASK_AGAIN}`;
  if (row.expiresAt.getTime() < Date.now()) return `this invitation link expired (links work for seven days); ${ASK_AGAIN}`;
  return null;
}

/** What an invitation link offers; safe to show to anyone holding the link. */
export async function describeInvitation(token: string): Promise<InvitationOfferDto> {
  const row = await findByToken(token);
  if (!row) throw new AppError("not_found", NOT_FOUND);
  const reason = unusable(row);
  const inviter = await db().user.findUnique({ where: { id: row.createdById }, select: { name: true } });
  return { teamName: row.team.name, role: Role.parse(row.role), invitedBy: reason ? null : (inviter?.name ?? null), valid: !reason, ...(reason ? { reason } : {}) };
}

async function usableRow(token: string) {
  const row = await findByToken(token);
  if (!row) throw new AppError("not_found", NOT_FOUND);
  const reason = unusable(row);
  if (reason) throw new AppError("conflict", reason);
  return row;
}

/** Throws what is wrong with a link before anyone relies on it (sign-up through it checks first). */
export async function assertInvitationUsable(token: string): Promise<void> {
  await usableRow(token);
}

/** Joins the link's team (already a member: the link is used up all the same). */
export async function acceptInvitation(caller: Pick<Caller, "user">, token: string): Promise<{ teamId: string }> {
  const row = await usableRow(token);
  // Claim the link atomically: two people racing for one link cannot both join.
  const claimed = await db().invitation.updateMany({ where: { id: row.id, acceptedAt: null, revokedAt: null, expiresAt: { gt: new Date() } }, data: { acceptedAt: new Date(), acceptedById: caller.user.id } });
  if (claimed.count !== 1) throw new AppError("conflict", `this invitation link was just used by someone else; ${ASK_AGAIN}`);
  // Already a member (or joining through another link at this very moment): the role stays.
  await joinTeam(row.teamId, caller.user.id, Role.parse(row.role), caller.user);
  await recordAudit({ teamId: row.teamId, actor: caller.user, action: "invite.accepted", targetType: "invitation", targetId: row.id, data: { role: row.role } });
  return { teamId: row.teamId };
}
