// `dockside token ...`: API tokens for a user in one team (the secret is printed once).
import { z } from "zod";
import { createApiToken, revokeApiToken } from "../auth/tokens";
import { db } from "../db/client";
import { AppError } from "../errors";
import { defineCommand } from "./command";
import { teamByKey } from "./teams";
import { Email, userByEmail } from "./users";

export async function createTokenFor(email: string, teamKey: string, name: string): Promise<{ id: string; token: string; teamId: string; name: string }> {
  const user = await userByEmail(email);
  const team = await teamByKey(teamKey);
  const member = await db().member.findUnique({ where: { teamId_userId: { teamId: team.id, userId: user.id } } });
  if (!member) throw new AppError("not_found", `${email} is not a member of ${team.slug}: add them with \`dockside team add\` first`);
  const t = await createApiToken(user.id, team.id, name);
  return { id: t.id, token: t.token, teamId: t.teamId, name: t.name };
}

export async function revokeToken(id: string): Promise<{ id: string; revoked: true }> {
  await revokeApiToken(id, null);
  return { id, revoked: true };
}

export const tokenCommands = {
  create: defineCommand({
    summary: "create an API token for a member of a team (shown once; T is the team's id, slug or name)",
    usage: "--email E --team T [--name N]",
    flags: z.object({ email: Email, team: z.string().min(1), name: z.string().trim().min(1).max(100).default("CLI token") }),
    run: (f) => createTokenFor(f.email, f.team, f.name),
  }),
  revoke: defineCommand({
    summary: "revoke an API token by id",
    usage: "--id ID",
    flags: z.object({ id: z.string().min(1).max(100) }),
    run: (f) => revokeToken(f.id),
  }),
};
