"use client";
// Settings → Permissions: the mode new sessions of the team get (a repository's own default wins)
// and the team's rules, which apply to every repository alongside the repository's own.
import { z } from "zod";
import { can } from "../../lib/auth/roles";
import { PermissionMode, RulesSchema } from "../../lib/protocol/permissions";
import type { TeamDto } from "../../lib/protocol/teams";
import { send, useApiData } from "../lib/use-api-data";
import { ErrorNote, Panel } from "../ui/form";
import { DefaultModeEditor, RulesEditor } from "./permissions-editor";
import { Section } from "./repo-environment";

/** The permission part of GET /api/teams/:id. */
const TeamPermissionsSchema = z.object({ rules: RulesSchema.nullable().optional(), defaultMode: PermissionMode.nullable().optional() });

export function TeamPermissionsPanel({ team }: { team: TeamDto }) {
  const editable = can(team.role, "settings.manage");
  const path = `/api/teams/${encodeURIComponent(team.id)}`;
  const { data, error, reload } = useApiData(path, TeamPermissionsSchema);
  async function patch(body: Record<string, unknown>): Promise<string | null> {
    const failure = await send(path, "PATCH", body);
    if (!failure) await reload();
    return failure;
  }
  return (
    <Panel title="Permissions" testId="team-permissions-panel">
      <p className="text-xs text-muted">
        What the agent may do without asking, in every repository of this team. A repository&apos;s own rules (Settings → Repositories →
        Permissions) add to these.
      </p>
      {error && !data && <ErrorNote testId="team-permissions-error">{error}</ErrorNote>}
      {!data && !error && <p className="text-sm text-muted">Loading…</p>}
      {data && (
        <div className="space-y-5">
          <Section title="Mode">
            <DefaultModeEditor value={data.defaultMode ?? null} editable={editable} inherit="auto (Dockside's default)" onSave={(defaultMode) => patch({ defaultMode })} testId="team-default-mode" />
          </Section>
          <Section title="Team rules">
            <RulesEditor rules={data.rules ?? null} editable={editable} onSave={(rules) => patch({ rules })} onClear={() => patch({ rules: null })} />
          </Section>
          {!editable && <p className="text-xs text-muted">Only admins and owners can change these settings.</p>}
        </div>
      )}
    </Panel>
  );
}
