"use client";
// A repository's Environment section (Settings → Repositories): the setup script, the network
// policy of setup and of the agent, secrets, and the cached results of setup. Admins and owners
// edit; everyone else reads.
import { useId, useState, type ReactNode } from "react";
import { RepositoryEnvironmentDtoSchema } from "../../lib/protocol/environments";
import type { RepositoryDto } from "../../lib/protocol/repos";
import { send, useApiData } from "../lib/use-api-data";
import { ErrorNote, inputClass, primaryButton } from "../ui/form";
import { EgressEditor } from "./egress-editor";
import { RepoEnvironmentCache } from "./environment-cache";
import { SecretsEditor } from "./secrets-editor";

export function RepoEnvironment({ repo, manage }: { repo: RepositoryDto; manage: boolean }) {
  const path = `/api/repos/${encodeURIComponent(repo.id)}`;
  const { data: env, error, reload } = useApiData(`${path}/environment`, RepositoryEnvironmentDtoSchema);
  async function patch(body: Record<string, unknown>): Promise<string | null> {
    const failure = await send(path, "PATCH", body);
    if (!failure) await reload();
    return failure;
  }

  if (error && !env) return <ErrorNote testId="repo-env-error">{error}</ErrorNote>;
  if (!env) return <p className="text-sm text-muted">Loading the environment…</p>;
  return (
    <div className="space-y-5" data-testid="repo-env">
      <Section title="Setup script">
        <SetupScriptEditor script={env.setupScript ?? ""} allowRepoScript={env.allowRepoSetupScript} editable={manage} onSave={(s) => patch({ setupScript: s.trim() ? s : null })} />
      </Section>
      <Section title="Network">
        <EgressEditor
          effective={env.effectiveEgress}
          own={env.egress}
          editable={manage}
          onSave={(egress) => patch({ egress })}
          onReset={() => patch({ egress: null })}
          resetLabel="Use team default"
          effectiveNote="after the team default"
        />
      </Section>
      <Section title="Secrets">
        <SecretsEditor
          secrets={env.secrets}
          editable={manage}
          onPatch={(secrets) => patch({ secrets })}
          scope={`Environment variables for ${repo.name}'s setup script (with the team's secrets; a name here wins).`}
        />
      </Section>
      <Section title="Cached environments">
        <RepoEnvironmentCache repo={repo} manage={manage} />
      </Section>
    </div>
  );
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="space-y-2">
      <h3 id={id} className="text-xs font-semibold tracking-wide text-muted uppercase">
        {title}
      </h3>
      {children}
    </section>
  );
}

interface ScriptProps {
  script: string;
  allowRepoScript: boolean;
  editable: boolean;
  onSave: (script: string) => Promise<string | null>;
}

function SetupScriptEditor({ script, allowRepoScript, editable, onSave }: ScriptProps) {
  const id = useId();
  const [text, setText] = useState(script);
  const [shown, setShown] = useState(script);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  // A saved change (or someone else's) starts the editor from the stored script.
  if (shown !== script) {
    setShown(script);
    setText(script);
  }
  const dirty = text !== script;

  async function save() {
    setBusy(true);
    setNote(null);
    const failure = await onSave(text);
    setBusy(false);
    setNote(failure ? { ok: false, text: failure } : { ok: true, text: "Saved." });
  }

  return (
    <div className="space-y-2">
      <label htmlFor={id} className="sr-only">
        Setup script
      </label>
      <textarea
        id={id}
        data-testid="setup-script-input"
        className={`${inputClass} min-h-32 resize-y font-mono text-xs`}
        value={text}
        readOnly={!editable}
        onChange={(e) => {
          setText(e.target.value);
          setNote(null);
        }}
        placeholder={editable ? "#!/bin/bash\nnpm ci" : "No setup script."}
        spellCheck={false}
        aria-describedby={`${id}-hint`}
      />
      <p id={`${id}-hint`} className="text-xs text-muted">
        Runs with bash as the agent in /workspace before the agent starts, with the Setup network policy and the secrets below. Its
        result is cached: later sessions with the same lockfiles start from it instead of running it again.{" "}
        {allowRepoScript
          ? "When empty, the repository's own .dockside/setup.sh runs (the team allows it)."
          : "When empty, nothing runs: the team does not allow repositories' own .dockside/setup.sh."}
      </p>
      {note && !note.ok && <ErrorNote testId="setup-script-error">{note.text}</ErrorNote>}
      {editable && (
        <div className="flex items-center gap-3">
          <button type="button" data-testid="setup-script-save" className={primaryButton} disabled={busy || !dirty} onClick={() => void save()}>
            {busy ? "Saving…" : "Save script"}
          </button>
          {note?.ok && !dirty && <span data-testid="setup-script-saved" className="text-sm text-emerald-800 dark:text-emerald-400">{note.text}</span>}
        </div>
      )}
    </div>
  );
}
