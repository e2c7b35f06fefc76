import { activeTeam, authorize } from "@/lib/auth/authorize";
import { rateLimit } from "@/lib/auth/rate-limit";
import { createApiToken } from "@/lib/auth/tokens";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { json, readJson, route } from "@/lib/http/handler";
import { CreateTokenInputSchema } from "@/lib/protocol/teams";

export const dynamic = "force-dynamic";

export const GET = route(async ({ caller }) => {
  const rows = await db().apiToken.findMany({ where: { userId: caller.user.id, ...(caller.tokenTeamId ? { teamId: caller.tokenTeamId } : {}) }, orderBy: { createdAt: "desc" } });
  return {
    tokens: rows.map((t) => ({
      id: t.id,
      name: t.name,
      teamId: t.teamId,
      prefix: t.prefix,
      createdAt: t.createdAt.toISOString(),
      lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
      revokedAt: t.revokedAt?.toISOString() ?? null,
    })),
  };
});

export const POST = route(async ({ req, caller }) => {
  if (caller.via === "token") throw new AppError("forbidden", "create API tokens signed in (or with the CLI), not with another token");
  await rateLimit(`token-create:${caller.user.id}`, 10, 60_000);
  const { name, teamId } = await readJson(req, CreateTokenInputSchema);
  const access = await authorize(caller, teamId ?? (await activeTeam(caller)), "token.own", "team not found");
  const t = await createApiToken(caller.user.id, access.teamId, name);
  return json(201, { ...t, lastUsedAt: null, revokedAt: null });
});
