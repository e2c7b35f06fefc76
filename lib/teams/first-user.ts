// On a fresh install the first account becomes the owner of the first team (the team that
// already holds any sessions started before accounts existed).
import { db } from "../db/client";
import { DEFAULT_TEAM_ID } from "../sessions/team";
import { recordAudit } from "../audit/record";

export async function onUserCreated(user: { id: string; name: string }): Promise<void> {
  await db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(727273)`;
    // Only the install's very first account: once anyone has signed up, an install whose teams
    // were all deleted must not hand the next stranger the default team.
    if ((await tx.user.count({ where: { id: { not: user.id } } })) > 0) return;
    await tx.team.upsert({ where: { id: DEFAULT_TEAM_ID }, update: {}, create: { id: DEFAULT_TEAM_ID, name: "Default team", slug: "default" } });
    await tx.member.create({ data: { teamId: DEFAULT_TEAM_ID, userId: user.id, role: "owner" } });
  });
  if ((await db().member.findFirst({ where: { userId: user.id, role: "owner", teamId: DEFAULT_TEAM_ID } }))) {
    await recordAudit({ teamId: DEFAULT_TEAM_ID, actor: user, action: "member.added", targetType: "user", targetId: user.id, data: { role: "owner", reason: "first account" } });
  }
}

/** True while no account exists: the next account to sign up becomes the first owner. */
export async function isFirstRun(): Promise<boolean> {
  return (await db().user.findFirst({ select: { id: true } })) === null;
}
