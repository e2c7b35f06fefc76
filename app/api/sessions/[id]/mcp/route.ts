import { authorizeSession } from "@/lib/auth/authorize";
import { route } from "@/lib/http/handler";
import { sessionMcpServers } from "@/lib/mcp/session-servers";

export const dynamic = "force-dynamic";

/** The session's MCP servers, their state and the tools the model has from each (names only). */
export const GET = route<{ id: string }>(async ({ params, caller }) => {
  await authorizeSession(caller, params.id, "session.read");
  return sessionMcpServers(params.id);
});
