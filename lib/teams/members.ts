// Team membership: listing, role changes and removal. Admins manage members and viewers;
// only owners grant, change or remove the admin and owner roles. A team keeps at least one owner.
import { db } from "../db/client";
import { AppError } from "../errors";
import { recordAudit } from "../audit/record";
import { publisher } from "../realtime/bus";
import type { Access } from "../auth/authorize";
import { atLeast, Role } from "../auth/roles";
import type { MemberDto } from "../protocol/teams";

export async function listMembers(access: Access): Promise<MemberDto[]> {
  const rows = await db().member.findMany({ where: { teamId: access.teamId }, include: { user: true }, orderBy: { createdAt: "asc" } });
  return rows.map((m) => ({ userId: m.userId, name: m.user.name, email: m.user.email, role: Role.parse(m.role), joinedAt: m.createdAt.toISOString() }));
}

async function target(access: Access, userId: string) {
  const m = await db().member.findUnique({ where: { teamId_userId: { teamId: access.teamId, userId } } });
  if (!m) throw new AppError("not_found", "this person is not a member of the team (any more): reload the list");
  return { ...m, role: Role.parse(m.role) };
}

function mayTouch(access: Access, current: Role, next?: Role): void {
  const needsOwner = atLeast(current, "admin") || (next !== undefined && atLeast(next, "admin"));
  if (needsOwner && access.role !== "owner") throw new AppError("forbidden", "only an owner can make someone an admin or owner, or change or remove an admin or owner: ask an owner of the team");
}

async function assertNotLastOwner(teamId: string, userId: string): Promise<void> {
  const owners = await db().member.findMany({ where: { teamId, role: "owner" }, select: { userId: true } });
  if (owners.length === 1 && owners[0].userId === userId) throw new AppError("conflict", "a team needs at least one owner: make someone else owner first, then change or remove this one");
}

export async function changeRole(access: Access, userId: string, role: Role): Promise<MemberDto> {
  const m = await target(access, userId);
  mayTouch(access, m.role, role);
  if (m.role === "owner" && role !== "owner") await assertNotLastOwner(access.teamId, userId);
  await db().member.update({ where: { teamId_userId: { teamId: access.teamId, userId } }, data: { role } });
  await recordAudit({ teamId: access.teamId, actor: access.caller.user, action: "member.role_changed", targetType: "user", targetId: userId, data: { from: m.role, to: role } });
  return (await listMembers(access)).find((x) => x.userId === userId)!;
}

export async function removeMember(access: Access, userId: string): Promise<void> {
  const m = await target(access, userId);
  if (userId !== access.caller.user.id) mayTouch(access, m.role);
  if (m.role === "owner") await assertNotLastOwner(access.teamId, userId);
  await db().member.delete({ where: { teamId_userId: { teamId: access.teamId, userId } } });
  await db().apiToken.updateMany({ where: { teamId: access.teamId, userId, revokedAt: null }, data: { revokedAt: new Date() } });
  // Their live views of this team's sessions end now; they reconnect with what they may still see.
  publisher().revoke({ userIds: [userId] });
  await recordAudit({ teamId: access.teamId, actor: access.caller.user, action: "member.removed", targetType: "user", targetId: userId, data: { role: m.role } });
}

/**
 * Joins a user to a team unless they are already in it: their role never changes this way, so
 * two invitation links accepted at once give the first one's role, not the last one's.
 */
export async function joinTeam(teamId: string, userId: string, role: Role, actor: { id: string; name: string }): Promise<boolean> {
  const made = await db().member.createMany({ data: [{ teamId, userId, role }], skipDuplicates: true });
  if (made.count === 1) await recordAudit({ teamId, actor, action: "member.added", targetType: "user", targetId: userId, data: { role } });
  return made.count === 1;
}

/** Adds a user to a team directly, or sets their role (CLI). */
export async function addMember(teamId: string, userId: string, role: Role, actor: { id: string; name: string } | null): Promise<void> {
  await db().member.upsert({ where: { teamId_userId: { teamId, userId } }, update: { role }, create: { teamId, userId, role } });
  await recordAudit({ teamId, actor, action: "member.added", targetType: "user", targetId: userId, data: { role } });
}
