// A repository's MCP servers for Settings (admins): its own and the team's it inherits, secret
// values never shown (names only). Changed with PATCH /api/repos/:id {mcpServers}.
import { route } from "@/lib/http/handler";
import { readMcpServers } from "@/lib/mcp/settings";
import { authorizeRepository } from "@/lib/repos/authorize-repository";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => {
  const { access, repo } = await authorizeRepository(caller, params.id, "repo.manage");
  return readMcpServers({ teamId: access.teamId, repositoryId: repo.id });
});
