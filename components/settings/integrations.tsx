"use client";
// Integrations: MCP servers of the team (Settings → Integrations) and of one repository
// (Settings → Repositories → Integrations). Admins and owners read and change them.
import { McpServersDtoSchema } from "../../lib/mcp/dto";
import { can } from "../../lib/auth/roles";
import type { TeamDto } from "../../lib/protocol/teams";
import { send, useApiData } from "../lib/use-api-data";
import { ErrorNote, Panel } from "../ui/form";
import { McpServersEditor } from "./mcp-servers";

/** The servers at `readUrl`, changed with PATCH `patchUrl` {mcpServers}. */
function Integrations({ readUrl, patchUrl }: { readUrl: string; patchUrl: string }) {
  const { data, error, reload } = useApiData(readUrl, McpServersDtoSchema);
  async function patch(mcpServers: Record<string, unknown>): Promise<string | null> {
    const failure = await send(patchUrl, "PATCH", { mcpServers });
    if (!failure) await reload();
    return failure;
  }
  if (error && !data) return <ErrorNote testId="mcp-load-error">{error}</ErrorNote>;
  if (!data) return <p className="text-sm text-muted">Loading…</p>;
  return <McpServersEditor data={data} editable onPatch={patch} />;
}

export function TeamIntegrationsPanel({ team }: { team: TeamDto }) {
  if (!can(team.role, "settings.manage")) return null;
  const path = `/api/teams/${encodeURIComponent(team.id)}`;
  return (
    <Panel title="Integrations (MCP servers)" testId="team-mcp-panel">
      <p className="text-xs text-muted">Every repository of this team gets these; a repository&apos;s server of the same name replaces the team&apos;s.</p>
      <Integrations readUrl={`${path}/mcp`} patchUrl={path} />
    </Panel>
  );
}

export function RepoIntegrations({ repoId }: { repoId: string }) {
  const path = `/api/repos/${encodeURIComponent(repoId)}`;
  return <Integrations readUrl={`${path}/mcp`} patchUrl={path} />;
}
