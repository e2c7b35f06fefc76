// The team's MCP servers for Settings (admins), secret values never shown (names only). Changed
// with PATCH /api/teams/:id {mcpServers}.
import { authorize } from "@/lib/auth/authorize";
import { route } from "@/lib/http/handler";
import { readMcpServers } from "@/lib/mcp/settings";

export const dynamic = "force-dynamic";

export const GET = route<{ id: string }>(async ({ params, caller }) => {
  const access = await authorize(caller, params.id, "settings.manage", "team not found");
  return readMcpServers({ teamId: access.teamId, repositoryId: null });
});
