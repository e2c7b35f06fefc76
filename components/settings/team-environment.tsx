"use client";
// Settings → Environment defaults: the team's network policy (repositories override it field by
// field), whether repositories' own .dockside/setup.sh may run, and secrets every repository's
// setup gets. Admins and owners edit; everyone else reads.
import { useId, useState } from "react";
import { can } from "../../lib/auth/roles";
import { TeamEnvironmentDtoSchema } from "../../lib/protocol/environments";
import type { TeamDto } from "../../lib/protocol/teams";
import { send, useApiData } from "../lib/use-api-data";
import { ErrorNote, Panel } from "../ui/form";
import { EgressEditor } from "./egress-editor";
import { Section } from "./repo-environment";
import { SecretsEditor } from "./secrets-editor";

export function TeamEnvironmentPanel({ team }: { team: TeamDto }) {
  const editable = can(team.role, "settings.manage");
  const path = `/api/teams/${encodeURIComponent(team.id)}`;
  const { data: env, error, reload } = useApiData(`${path}/environment`, TeamEnvironmentDtoSchema);
  async function patch(body: Record<string, unknown>): Promise<string | null> {
    const failure = await send(path, "PATCH", body);
    if (!failure) await reload();
    return failure;
  }

  return (
    <Panel title="Environment defaults" testId="team-env-panel">
      <p className="text-xs text-muted">
        What every repository of this team starts from. A repository&apos;s own settings (Settings → Repositories → Environment) win
        over these.
      </p>
      {error && !env && <ErrorNote testId="team-env-error">{error}</ErrorNote>}
      {!env && !error && <p className="text-sm text-muted">Loading…</p>}
      {env && (
        <div className="space-y-5">
          <Section title="Network">
            <EgressEditor
              effective={env.effectiveEgress}
              own={env.egress}
              editable={editable}
              onSave={(egress) => patch({ egress })}
              onReset={() => patch({ egress: null })}
              resetLabel="Use Dockside's default"
              effectiveNote="unless a repository sets its own"
            />
          </Section>
          <Section title="Repositories' own setup scripts">
            <RepoScriptSwitch allowed={env.allowRepoSetupScript} editable={editable} onChange={(allowRepoSetupScript) => patch({ allowRepoSetupScript })} />
          </Section>
          <Section title="Team secrets">
            <SecretsEditor
              secrets={env.secrets}
              editable={editable}
              onPatch={(secrets) => patch({ secrets })}
              scope="Environment variables for the setup script of every repository of this team (a repository's secret of the same name wins)."
            />
          </Section>
          {!editable && <p className="text-xs text-muted">Only admins and owners can change these settings.</p>}
        </div>
      )}
    </Panel>
  );
}

function RepoScriptSwitch({ allowed, editable, onChange }: { allowed: boolean; editable: boolean; onChange: (v: boolean) => Promise<string | null> }) {
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function flip() {
    setBusy(true);
    setError(null);
    setError(await onChange(!allowed));
    setBusy(false);
  }
  return (
    <div className="space-y-1">
      <div className="flex items-start gap-3 text-sm">
        <button
          type="button"
          role="switch"
          aria-checked={allowed}
          aria-labelledby={`${id}-label`}
          aria-describedby={`${id}-hint`}
          data-testid="allow-repo-setup"
          disabled={!editable || busy}
          onClick={() => void flip()}
          className={`relative mt-0.5 inline-flex h-5 w-9 shrink-0 items-center rounded-full transition-colors disabled:opacity-60 ${allowed ? "bg-accent" : "bg-zinc-400/60"}`}
        >
          <span aria-hidden className={`inline-block size-4 rounded-full bg-white shadow transition-transform ${allowed ? "translate-x-4.5" : "translate-x-0.5"}`} />
        </button>
        <div>
          <span id={`${id}-label`}>
            Allow repositories&apos; own <code className="font-mono text-xs">.dockside/setup.sh</code>
          </span>
          <span id={`${id}-hint`} className="block text-xs text-muted">
            When a repository has no setup script in Settings, its own .dockside/setup.sh runs before the agent starts. Anyone who can
            push to the repository decides what it does, with the setup network policy and the secrets.
          </span>
        </div>
      </div>
      {error && <ErrorNote testId="allow-repo-setup-error">{error}</ErrorNote>}
    </div>
  );
}
