// MCP server settings of a team (every repository's) and of a repository (overriding the team's by
// name): reads that never show a secret value, and changes (admins, audited by name only).
import { recordSettingsChange } from "../audit/record";
import type { Access } from "../auth/authorize";
import { db } from "../db/client";
import { Prisma } from "../db/generated/client";
import { MAX_MCP_SERVERS } from "../protocol/mcp";
import type { McpServerDto, McpServersDto } from "./dto";
import { applyPatch, storedIsRemote, storedServers, type McpServersPatch, type StoredServer, type StoredServers } from "./stored";

export type McpScope = { teamId: string; repositoryId: string | null };

export function toDto(servers: StoredServers): McpServerDto[] {
  return Object.entries(servers)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, s]) => dto(name, s));
}

function dto(name: string, s: StoredServer): McpServerDto {
  if (storedIsRemote(s)) return { name, kind: "remote", url: s.url, headers: Object.keys(s.headers ?? {}).sort() };
  return { name, kind: "stdio", command: s.command, args: s.args ?? [], env: Object.keys(s.env ?? {}).sort() };
}

async function load({ teamId, repositoryId }: McpScope): Promise<StoredServers> {
  if (!repositoryId) {
    const t = await db().team.findUniqueOrThrow({ where: { id: teamId }, select: { mcpServers: true } });
    return storedServers(t.mcpServers, `team ${teamId}`);
  }
  const r = await db().repository.findUniqueOrThrow({ where: { id: repositoryId }, select: { mcpServers: true } });
  return storedServers(r.mcpServers, `repository ${repositoryId}`);
}

/** GET: a scope's own servers, and on a repository the team's it inherits. */
export async function readMcpServers(scope: McpScope): Promise<McpServersDto> {
  const own = await load(scope);
  if (!scope.repositoryId) return { servers: toDto(own), inherited: [] };
  const team = await load({ teamId: scope.teamId, repositoryId: null });
  return { servers: toDto(own), inherited: toDto(team).filter((s) => !Object.hasOwn(own, s.name)) };
}

/** PATCH: merges `patch` into the scope's servers (422 with the reason when it cannot) and audits the names changed. */
export async function updateMcpServers(access: Access, repositoryId: string | null, patch: McpServersPatch): Promise<McpServersDto> {
  const scope = { teamId: access.teamId, repositoryId };
  const change = await db().$transaction(async (tx) => {
    // Row lock: two admins saving at once both keep what the other kept (no lost secret).
    if (repositoryId) await tx.$queryRaw`SELECT id FROM repositories WHERE id = ${repositoryId} FOR UPDATE`;
    else await tx.$queryRaw`SELECT id FROM teams WHERE id = ${access.teamId} FOR UPDATE`;
    const row = repositoryId
      ? await tx.repository.findUniqueOrThrow({ where: { id: repositoryId }, select: { mcpServers: true } })
      : await tx.team.findUniqueOrThrow({ where: { id: access.teamId }, select: { mcpServers: true } });
    const { servers, change } = applyPatch(storedServers(row.mcpServers, repositoryId ? `repository ${repositoryId}` : `team ${access.teamId}`), patch);
    const data = { mcpServers: Object.keys(servers).length ? (servers as Prisma.InputJsonValue) : Prisma.DbNull };
    if (repositoryId) await tx.repository.update({ where: { id: repositoryId }, data });
    else await tx.team.update({ where: { id: access.teamId }, data });
    return change;
  });
  await recordSettingsChange(access, repositoryId, "mcpServers", change);
  return readMcpServers(scope);
}

/**
 * The servers a new session gets (still sealed): the team's, overridden by the repository's of the
 * same name; at most MAX_MCP_SERVERS, the repository's first, then by name.
 */
export async function effectiveMcpServers(teamId: string, repositoryId: string | null): Promise<StoredServers> {
  const team = await load({ teamId, repositoryId: null });
  const repo = repositoryId ? await load({ teamId, repositoryId }) : {};
  const names = [...Object.keys(repo).sort(), ...Object.keys(team).filter((n) => !Object.hasOwn(repo, n)).sort()];
  return Object.fromEntries(names.slice(0, MAX_MCP_SERVERS).map((n) => [n, repo[n] ?? team[n]]));
}

/** The column value a new session row stores (null: no servers). */
export async function mcpSnapshot(teamId: string, repositoryId: string | null): Promise<Prisma.InputJsonValue | typeof Prisma.DbNull> {
  const s = await effectiveMcpServers(teamId, repositoryId);
  return Object.keys(s).length ? (s as Prisma.InputJsonValue) : Prisma.DbNull;
}
