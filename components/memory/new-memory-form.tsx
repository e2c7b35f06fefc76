"use client";
// A person writes an entry directly (accepted at once). The server scans it for credentials and
// refuses with the reason, shown here with the text left as typed.
import { useId, useState, type FormEvent } from "react";
import { MEMORY_TEXT_MAX, MemoryEntryDtoSchema, type MemoryCreate, type MemoryEntryDto } from "../../lib/protocol/memory";
import type { RepositoryDto } from "../../lib/protocol/repos";
import { apiJson } from "../lib/api";
import { ErrorNote, Field, inputClass, primaryButton, secondaryButton } from "../ui/form";

interface Props {
  repos: RepositoryDto[];
  /** The page's scope filter: a repository id preselects it. */
  defaultScope: string;
  onCreated: (entry: MemoryEntryDto) => void;
  onCancel: () => void;
}

export function NewMemoryForm({ repos, defaultScope, onCreated, onCancel }: Props) {
  const id = useId();
  const [scope, setScope] = useState(repos.some((r) => r.id === defaultScope) ? defaultScope : "team");
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body: MemoryCreate = { text };
    if (scope !== "team") body.repo = scope;
    const res = await apiJson("/api/memory", MemoryEntryDtoSchema, { method: "POST", body });
    setBusy(false);
    if (!res.ok) return setError(res.message);
    setText("");
    onCreated(res.data);
  }

  return (
    <form onSubmit={submit} aria-label="New memory entry" data-testid="memory-new-form" className="space-y-3 rounded-lg border border-line bg-panel p-4">
      <h2 className="text-sm font-semibold">New entry</h2>
      <Field label="For" htmlFor={`${id}-scope`}>
        <select id={`${id}-scope`} data-testid="memory-new-scope" className={inputClass} value={scope} onChange={(e) => setScope(e.target.value)}>
          <option value="team">The whole team</option>
          {repos.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="What should the agents remember? (markdown, one fact)" htmlFor={`${id}-text`}>
        <textarea id={`${id}-text`} data-testid="memory-new-text" className={`${inputClass} min-h-20`} value={text} autoFocus onChange={(e) => setText(e.target.value)}
          maxLength={MEMORY_TEXT_MAX} placeholder="Run `npm run test:unit` before pushing; the e2e suite needs Docker." required aria-describedby={error ? `${id}-err` : undefined} />
      </Field>
      {error && (
        <div id={`${id}-err`}>
          <ErrorNote testId="memory-new-error">{error}</ErrorNote>
        </div>
      )}
      <div className="flex flex-wrap gap-2">
        <button type="submit" data-testid="memory-new-submit" disabled={busy || !text.trim()} className={primaryButton}>
          {busy ? "Saving…" : "Add entry"}
        </button>
        <button type="button" onClick={onCancel} className={secondaryButton}>
          Cancel
        </button>
      </div>
    </form>
  );
}
