// `dockside team ...`: create teams and add people to them directly (no invitation link).
import { z } from "zod";
import { Role } from "../auth/roles";
import { db } from "../db/client";
import { AppError } from "../errors";
import { addMember } from "../teams/members";
import { createTeam } from "../teams/teams";
import { defineCommand } from "./command";
import { Email, userByEmail } from "./users";

const TEAM_FIELDS = { id: true, name: true, slug: true } as const;

/** A team by id or slug, else by name (any case); a name several teams share is refused, listing them. */
export async function teamByKey(key: string): Promise<{ id: string; name: string; slug: string }> {
  const exact = await db().team.findFirst({ where: { OR: [{ id: key }, { slug: key }] }, select: TEAM_FIELDS });
  if (exact) return exact;
  const named = await db().team.findMany({ where: { name: { equals: key.trim(), mode: "insensitive" } }, select: TEAM_FIELDS, orderBy: { createdAt: "asc" }, take: 20 });
  if (named.length === 1) return named[0];
  if (!named.length) throw new AppError("not_found", `no team with the id, slug or name "${key}"`);
  const list = named.map((t) => `${t.slug} (${t.name}, id ${t.id})`).join(", ");
  throw new AppError("conflict", `${named.length} teams are named "${key}": ${list}; give the slug or id instead`);
}

export async function createTeamFor(name: string, ownerEmail: string): Promise<{ id: string; name: string; slug: string }> {
  const owner = await userByEmail(ownerEmail);
  const t = await createTeam(name, owner);
  return { id: t.id, name: t.name, slug: t.slug };
}

/** Adds (or re-roles) a member; a team's last owner keeps the owner role. */
export async function addToTeam(teamKey: string, email: string, role: Role): Promise<{ teamId: string; userId: string; role: Role }> {
  const team = await teamByKey(teamKey);
  const user = await userByEmail(email);
  if (role !== "owner") {
    const owners = await db().member.findMany({ where: { teamId: team.id, role: "owner" }, select: { userId: true } });
    if (owners.length === 1 && owners[0].userId === user.id) throw new AppError("conflict", `${email} is the last owner of ${team.slug}: make someone else owner first`);
  }
  await addMember(team.id, user.id, role, null);
  return { teamId: team.id, userId: user.id, role };
}

export const teamCommands = {
  create: defineCommand({
    summary: "create a team owned by an existing user",
    usage: "--name T --owner E",
    flags: z.object({ name: z.string().trim().min(1).max(100), owner: Email }),
    run: (f) => createTeamFor(f.name, f.owner),
  }),
  add: defineCommand({
    summary: "add a user to a team, or change their role (T is the team's id, slug or name)",
    usage: `--team T --email E --role ${[...Role.options].reverse().join("|")}`,
    flags: z.object({ team: z.string().min(1), email: Email, role: Role }),
    run: (f) => addToTeam(f.team, f.email, f.role),
  }),
};
