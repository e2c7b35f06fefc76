import { authorize } from "@/lib/auth/authorize";
import { json, readJson, route } from "@/lib/http/handler";
import { UpdateTeamSettingsSchema } from "@/lib/teams/team-environment";
import { deleteTeam, getTeam, updateTeam } from "@/lib/teams/teams";
import { recordAudit } from "@/lib/audit/record";
import { updateMcpServers } from "@/lib/mcp/settings";
import { McpServersPatchSchema } from "@/lib/mcp/stored";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => getTeam(await authorize(caller, params.id, "team.read", "team not found")));

// mcpServers: the team's MCP servers, a merge patch (lib/mcp/stored.ts).
const PatchSchema = UpdateTeamSettingsSchema.extend({ mcpServers: McpServersPatchSchema.optional() });

export const PATCH = route<{ id: string }>(async ({ req, params, caller }) => {
  const access = await authorize(caller, params.id, "settings.manage", "team not found");
  const { mcpServers, ...patch } = await readJson(req, PatchSchema);
  const mcp = mcpServers ? { mcpServers: await updateMcpServers(access, null, mcpServers) } : {};
  return { ...(await updateTeam(access, patch)), ...mcp };
});

export const DELETE = route<{ id: string }>(async ({ params, caller }) => {
  const access = await authorize(caller, params.id, "team.delete", "team not found");
  await recordAudit({ teamId: access.teamId, actor: caller.user, action: "team.deleted", targetType: "team", targetId: access.teamId });
  await deleteTeam(access);
  return json(200, { ok: true });
});
