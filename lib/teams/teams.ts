// Teams and their settings. Slugs are derived from names and made unique.
import { WORKING_STATUSES } from "../events/status";
import crypto from "node:crypto";
import { env } from "../config/env";
import { sessionPaths } from "../git/workspace";
import { removeSessionFs } from "../sandbox/session-fs";
import { publisher } from "../realtime/bus";
import { removeSandbox } from "../sandbox/container";
import { db } from "../db/client";
import { AppError } from "../errors";
import { recordAudit } from "../audit/record";
import type { Access } from "../auth/authorize";
import type { Caller } from "../auth/caller";
import { Role } from "../auth/roles";
import { monthStart } from "../events/store";
import type { MeDto, TeamDetailDto, TeamDto } from "../protocol/teams";
import type { TeamEnvironmentDto } from "../protocol/environments";
import { applySecrets } from "../environments/secrets";
import { environmentAudit } from "../environments/audit-data";
import { removeMirror } from "../git/mirror";
import { removeSnapshotFiles } from "../environments/snapshots";
import { teamEnvironment, teamEnvironmentData, teamPermissionsData, type UpdateTeamSettings } from "./team-environment";
import type { PermissionSettingsDto } from "../protocol/api";
import { storedMode, storedRules } from "../approvals/stored";
import { getCompanion } from "../companion/companions";

type Actor = { id: string; name: string };

function slugify(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) || "team";
}

/** Creates a team with `owner` as its owner (the CLI passes the user it names). */
export async function createTeam(name: string, owner: Actor): Promise<TeamDto> {
  const id = crypto.randomUUID();
  const base = slugify(name);
  const taken = new Set((await db().team.findMany({ where: { slug: { startsWith: base } }, select: { slug: true } })).map((t) => t.slug));
  let slug = base;
  for (let i = 2; taken.has(slug); i++) slug = `${base}-${i}`;
  const team = await db().team.create({ data: { id, name, slug, members: { create: { userId: owner.id, role: "owner" } } } });
  await recordAudit({ teamId: id, actor: owner, action: "team.created", targetType: "team", targetId: id, data: { name } });
  return { id: team.id, name: team.name, slug: team.slug, allowPublicLinks: team.allowPublicLinks, role: "owner" };
}

/** The team with its budgets, instructions, permission settings and what it spent this month (UTC). */
export async function getTeam(access: Access): Promise<TeamDetailDto & PermissionSettingsDto> {
  const t = await db().team.findUniqueOrThrow({ where: { id: access.teamId } });
  return {
    id: t.id,
    name: t.name,
    slug: t.slug,
    allowPublicLinks: t.allowPublicLinks,
    role: access.role,
    defaultBudgetUsd: t.defaultBudgetUsd,
    monthlyCapUsd: t.monthlyCapUsd,
    monthCostUsd: await teamMonthCost(t.id),
    instructions: t.instructions,
    rules: storedRules(t.rules, `team ${t.id}`),
    defaultMode: storedMode(t.defaultMode),
  };
}

export async function teamMonthCost(teamId: string, at = new Date()): Promise<number> {
  const m = await db().teamUsageMonth.findUnique({ where: { teamId_month: { teamId, month: new Date(`${monthStart(at)}T00:00:00Z`) } } });
  return m?.costUsd ?? 0;
}

/** Changes the team's settings and environment defaults (secrets too) in one transaction; audited without secret values. */
export async function updateTeam(access: Access, patch: UpdateTeamSettings): Promise<TeamDetailDto & PermissionSettingsDto & { environment: TeamEnvironmentDto }> {
  const before = await db().team.findUniqueOrThrow({ where: { id: access.teamId } });
  const { egress, allowRepoSetupScript, secrets: secretsPatch, rules, defaultMode, ...settings } = patch;
  const secrets = await db().$transaction(async (tx) => {
    await tx.team.update({ where: { id: access.teamId }, data: { ...settings, ...teamEnvironmentData({ egress, allowRepoSetupScript }), ...teamPermissionsData({ rules, defaultMode }) } });
    return secretsPatch ? applySecrets(tx, access.teamId, null, secretsPatch) : {};
  });
  const { defaultBudgetUsd, monthlyCapUsd, instructions, ...rest } = settings;
  const money = { defaultBudgetUsd, monthlyCapUsd };
  const moneyChanged = (defaultBudgetUsd !== undefined && defaultBudgetUsd !== before.defaultBudgetUsd) || (monthlyCapUsd !== undefined && monthlyCapUsd !== before.monthlyCapUsd);
  if (moneyChanged) {
    const from = { defaultBudgetUsd: before.defaultBudgetUsd, monthlyCapUsd: before.monthlyCapUsd };
    await recordAudit({ teamId: access.teamId, actor: access.caller.user, action: "team.budget_changed", targetType: "team", targetId: access.teamId, data: { from, to: { ...from, ...dropUndefined(money) } } });
  }
  // Instructions can be long: the trail says that they changed and how long they are now.
  const changed = {
    ...rest,
    ...(instructions !== undefined && instructions !== before.instructions ? { instructionsChars: instructions.length } : {}),
    ...environmentAudit({ egress, allowRepoSetupScript }, secrets),
    // Rules are settings, not secrets: the trail keeps what they became.
    ...(rules !== undefined ? { rules: rules ?? "cleared" } : {}),
    ...(defaultMode !== undefined ? { defaultMode } : {}),
  };
  if (Object.keys(changed).length) {
    await recordAudit({ teamId: access.teamId, actor: access.caller.user, action: "team.updated", targetType: "team", targetId: access.teamId, data: changed });
  }
  return { ...(await getTeam(access)), environment: await teamEnvironment(access.teamId) };
}

const dropUndefined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export async function deleteTeam(access: Access): Promise<void> {
  const running = await db().session.count({ where: { teamId: access.teamId, status: { in: [...WORKING_STATUSES] } } });
  if (running) throw new AppError("conflict", `the team still has ${running} session${running === 1 ? "" : "s"} running: stop ${running === 1 ? "it" : "them"} first, then delete the team`);
  const [members, sessions, repositories] = await Promise.all([
    db().member.findMany({ where: { teamId: access.teamId }, select: { userId: true } }),
    db().session.findMany({ where: { teamId: access.teamId }, select: { id: true, containerId: true, engine: true } }),
    db().repository.findMany({ where: { teamId: access.teamId }, select: { id: true } }),
  ]);
  await db().team.delete({ where: { id: access.teamId } });
  // Rows keyed by team or session without a foreign key (notifications are per person and team).
  await db().$transaction([
    db().notification.deleteMany({ where: { teamId: access.teamId } }),
    db().notificationPref.deleteMany({ where: { teamId: access.teamId } }),
    db().sessionWatch.deleteMany({ where: { sessionId: { in: sessions.map((s) => s.id) } } }),
  ]);
  removeSnapshotFiles(repositories.map((r) => r.id));
  publisher().revoke({ userIds: members.map((m) => m.userId) });
  // The team's code goes with it: sandboxes and workspaces (clones of its repositories).
  for (const s of sessions) {
    if (s.containerId) await removeSandbox(s.containerId, s.engine);
    // Unmounts the session's filesystem first; never follows the agent's symlinks.
    await removeSessionFs(sessionPaths(env().dataDir, s.id));
  }
  // Only now: the sessions removed above were the mirrors' last borrowers (a registration removed
  // on its own keeps its mirror, because its sessions still borrow from it).
  for (const r of repositories) await removeMirror(r.id);
}

/** Who the caller is and which teams they belong to. */
export async function getMe(caller: Caller, activeTeamId: string | null): Promise<MeDto> {
  const memberships = await db().member.findMany({ where: { userId: caller.user.id }, include: { team: true }, orderBy: { createdAt: "asc" } });
  const teams = memberships
    .filter((m) => !caller.tokenTeamId || m.teamId === caller.tokenTeamId)
    .map((m) => ({ id: m.team.id, name: m.team.name, slug: m.team.slug, allowPublicLinks: m.team.allowPublicLinks, role: Role.parse(m.role) }));
  return { user: caller.user, teams, activeTeamId, companion: await getCompanion(caller.user.id) };
}
