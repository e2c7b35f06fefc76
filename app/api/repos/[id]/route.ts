// One registration: admins and owners change its name, protected branches, push token and
// environment (setup script, egress, secrets: see lib/protocol/environments.ts) and MCP servers, or remove it.
import { json, readJson, route } from "@/lib/http/handler";
import { UpdateRepositoryInputSchema } from "@/lib/protocol/repos";
import { authorizeRepository } from "@/lib/repos/authorize-repository";
import { removeRepository } from "@/lib/repos/remove-repository";
import { updateRepository } from "@/lib/repos/update-repository";
import { updateMcpServers } from "@/lib/mcp/settings";
import { McpServersPatchSchema } from "@/lib/mcp/stored";

export const dynamic = "force-dynamic";

// mcpServers: a merge patch (lib/mcp/stored.ts), checked whole before the rest is applied.
const PatchSchema = UpdateRepositoryInputSchema.extend({ mcpServers: McpServersPatchSchema.optional() });

export const PATCH = route<{ id: string }>(async ({ req, params, caller }) => {
  const { access, repo } = await authorizeRepository(caller, params.id, "repo.manage");
  const { mcpServers, ...patch } = await readJson(req, PatchSchema);
  const mcp = mcpServers ? { mcpServers: await updateMcpServers(access, repo.id, mcpServers) } : {};
  if (mcpServers && !Object.keys(patch).length) return mcp;
  return { ...(await updateRepository(access, repo, patch)), ...mcp };
});

export const DELETE = route<{ id: string }>(async ({ params, caller }) => {
  const { access, repo } = await authorizeRepository(caller, params.id, "repo.manage");
  await removeRepository(access, repo);
  return json(200, { ok: true });
});
