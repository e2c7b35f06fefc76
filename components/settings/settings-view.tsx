"use client";
// Team settings for the active team; each panel shows only what the person's role can use.
import { can } from "../../lib/auth/roles";
import { CreateTeamForm } from "../create-team-form";
import { useActiveTeam } from "../me-provider";
import { Panel } from "../ui/form";
import { CompanionPanel } from "./companion-panel";
import { DeleteTeam } from "./delete-team";
import { DiskPanel } from "./disk-panel";
import { EnvironmentCachePanel } from "./environment-cache";
import { TeamIntegrationsPanel } from "./integrations";
import { InvitationsPanel } from "./invitations-panel";
import { MembersTable } from "./members-table";
import { NotificationPrefsPanel } from "./notification-prefs";
import { RepositoriesPanel } from "./repositories-panel";
import { SpendingPanel } from "./spending-panel";
import { TeamEnvironmentPanel } from "./team-environment";
import { TeamForm } from "./team-form";
import { TeamPermissionsPanel } from "./team-permissions";
import { WebhooksPanel } from "./webhooks-panel";

export function SettingsView() {
  const active = useActiveTeam();
  // The auth gate renders this only with a team; null is a render between reloads.
  if (!active) return null;
  const { me, team } = active;
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto max-w-4xl space-y-6 px-4 py-6">
        <h1 className="text-base font-semibold">
          Settings of <span data-testid="settings-team-name">{team.name}</span>{" "}
          <span className="text-sm font-normal text-muted">(your role: {team.role})</span>
        </h1>
        {/* Keyed by team: a team switch starts the form from that team's saved values. */}
        <TeamForm key={team.id} team={team} />
        <SpendingPanel key={`spending:${team.id}`} team={team} />
        <MembersTable key={`members:${team.id}`} team={team} selfId={me.user.id} />
        {can(team.role, "invite.create") && <InvitationsPanel key={`inv:${team.id}`} team={team} />}
        <RepositoriesPanel key={`repos:${team.id}`} team={team} />
        <TeamPermissionsPanel key={`perm:${team.id}`} team={team} />
        <TeamEnvironmentPanel key={`env:${team.id}`} team={team} />
        <EnvironmentCachePanel key={`env-cache:${team.id}`} team={team} />
        <TeamIntegrationsPanel key={`mcp:${team.id}`} team={team} />
        {can(team.role, "settings.manage") && <DiskPanel key={`disk:${team.id}`} team={team} />}
        {can(team.role, "settings.manage") && <WebhooksPanel key={`hooks:${team.id}`} team={team} />}
        <NotificationPrefsPanel key={`notify:${team.id}`} />
        <CompanionPanel />
        <Panel title="Create a new team">
          <p className="text-sm text-muted">You become its owner; your other teams stay as they are.</p>
          <CreateTeamForm goTo="/settings" />
        </Panel>
        {can(team.role, "team.delete") && <DeleteTeam team={team} />}
      </div>
    </div>
  );
}
