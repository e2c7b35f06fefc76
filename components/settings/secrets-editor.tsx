"use client";
// Secrets of a repository or a team: names only, values are write-only (the page never receives
// one). Each is given to the setup script; "agent" ones also to the agent's environment.
import { useId, useState, type FormEvent } from "react";
import type { SecretDto, SecretsPatch } from "../../lib/protocol/environments";
import { ConfirmDialog } from "../confirm-dialog";
import { ErrorNote, inputClass, primaryButton, secondaryButton } from "../ui/form";

interface Props {
  secrets: readonly SecretDto[];
  editable: boolean;
  /** Answers an error message, or null when saved (and reloaded). */
  onPatch: (patch: SecretsPatch) => Promise<string | null>;
  /** Where these secrets apply, for people. */
  scope: string;
}

const linkButton = "text-xs text-accent hover:underline disabled:opacity-50";

export function SecretsEditor({ secrets, editable, onPatch, scope }: Props) {
  const id = useId();
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [agent, setAgent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [replacing, setReplacing] = useState<string | null>(null);
  const [replacement, setReplacement] = useState("");
  const [deleting, setDeleting] = useState<string | null>(null);

  async function patch(p: SecretsPatch): Promise<boolean> {
    setBusy(true);
    setError(null);
    const failure = await onPatch(p);
    setBusy(false);
    if (failure) setError(failure);
    return !failure;
  }
  async function add(e: FormEvent) {
    e.preventDefault();
    if (!(await patch({ [name.trim()]: { value, agent } }))) return;
    setName("");
    setValue("");
    setAgent(false);
  }
  async function replace(e: FormEvent, secret: string) {
    e.preventDefault();
    if (!(await patch({ [secret]: { value: replacement } }))) return;
    setReplacing(null);
    setReplacement("");
  }

  return (
    <div className="space-y-3" data-testid="secrets-editor">
      <p className="text-xs text-muted">
        {scope} Values are write-only: nobody sees them again here, and they are masked in setup output and the transcript. Give a secret
        to the agent only when it needs it while working.
      </p>
      {secrets.length === 0 ? (
        <p className="text-sm text-muted" data-testid="secrets-empty">No secrets.</p>
      ) : (
        <ul className="divide-y divide-line rounded-md border border-line">
          {secrets.map((s) => (
            <li key={s.name} data-testid="secret-row" data-name={s.name} className="space-y-2 px-3 py-2">
              <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
                <code className="min-w-0 font-mono text-sm break-all" data-testid="secret-name">{s.name}</code>
                {s.agent ? (
                  <span data-testid="secret-agent" className="rounded bg-amber-500/15 px-1.5 text-[11px] font-medium text-amber-800 dark:text-amber-300">
                    agent
                  </span>
                ) : (
                  <span className="text-[11px] text-muted">setup only</span>
                )}
                <span className="text-[11px] text-muted" title={s.updatedAt}>set {new Date(s.updatedAt).toLocaleDateString()}</span>
                {editable && (
                  <span className="ml-auto flex flex-wrap gap-3">
                    <button type="button" data-testid="secret-replace" className={linkButton} disabled={busy}
                      onClick={() => { setReplacing(replacing === s.name ? null : s.name); setReplacement(""); }}>
                      Replace value
                    </button>
                    <button type="button" data-testid="secret-toggle-agent" className={linkButton} disabled={busy} onClick={() => void patch({ [s.name]: { agent: !s.agent } })}>
                      {s.agent ? "Setup only" : "Give to the agent"}
                    </button>
                    <button type="button" data-testid="secret-delete" className="text-xs text-red-700 hover:underline disabled:opacity-50 dark:text-red-300" disabled={busy}
                      onClick={() => setDeleting(s.name)}>
                      Delete
                    </button>
                  </span>
                )}
              </div>
              {replacing === s.name && (
                <form className="flex gap-2" onSubmit={(e) => void replace(e, s.name)} aria-label={`Replace the value of ${s.name}`}>
                  <label htmlFor={`${id}-replace`} className="sr-only">New value of {s.name}</label>
                  <input id={`${id}-replace`} data-testid="secret-replace-value" type="password" className={`${inputClass} min-w-0`} value={replacement}
                    onChange={(e) => setReplacement(e.target.value)} autoComplete="new-password" placeholder="new value" autoFocus />
                  <button type="submit" data-testid="secret-replace-save" className={`${secondaryButton} shrink-0`} disabled={busy || !replacement}>Save</button>
                </form>
              )}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <form onSubmit={(e) => void add(e)} aria-label="Add a secret" className="space-y-2">
          <div className="grid gap-2 sm:grid-cols-2">
            <div className="space-y-1">
              <label htmlFor={`${id}-name`} className="block text-xs font-medium text-muted">Name</label>
              <input id={`${id}-name`} data-testid="secret-add-name" className={`${inputClass} font-mono`} value={name} onChange={(e) => setName(e.target.value)}
                placeholder="NPM_TOKEN" autoComplete="off" spellCheck={false} required />
            </div>
            <div className="space-y-1">
              <label htmlFor={`${id}-value`} className="block text-xs font-medium text-muted">Value</label>
              <input id={`${id}-value`} data-testid="secret-add-value" type="password" className={inputClass} value={value} onChange={(e) => setValue(e.target.value)}
                autoComplete="new-password" required />
            </div>
          </div>
          <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" data-testid="secret-add-agent" checked={agent} onChange={(e) => setAgent(e.target.checked)} />
              Also give it to the agent
            </label>
            <button type="submit" data-testid="secret-add" className={primaryButton} disabled={busy || !name.trim() || !value}>
              {busy ? "Saving…" : secrets.some((s) => s.name === name.trim()) ? "Replace secret" : "Add secret"}
            </button>
          </div>
        </form>
      )}
      {error && <ErrorNote testId="secrets-error">{error}</ErrorNote>}
      {deleting && (
        <ConfirmDialog
          title={`Delete ${deleting}?`}
          message={`Setup scripts and agents of new sessions no longer get ${deleting}. Its value cannot be recovered; you would enter it again.`}
          confirmLabel="Delete secret"
          tone="danger"
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const gone = deleting;
            setDeleting(null);
            void patch({ [gone]: null });
          }}
        />
      )}
    </div>
  );
}
