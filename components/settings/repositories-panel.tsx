"use client";
// Settings → Repositories: the repositories sessions of this team may use. Everyone sees the list;
// admins and owners add (a path or an https URL), set protected branches and push tokens, remove.
import { useState, type FormEvent } from "react";
import { can } from "../../lib/auth/roles";
import { RepositoryDtoSchema, RepositoryListSchema, type RepositoryDto } from "../../lib/protocol/repos";
import type { TeamDto } from "../../lib/protocol/teams";
import { apiJson } from "../lib/api";
import { useApiList } from "../lib/use-api-list";
import { ErrorNote, Field, inputClass, Panel, primaryButton } from "../ui/form";
import { RepositoryRow, splitBranches } from "./repository-row";

const pick = (d: { repositories: RepositoryDto[] }) => d.repositories;

export function RepositoriesPanel({ team }: { team: TeamDto }) {
  const manage = can(team.role, "repo.manage");
  const { items, error, setError, reload } = useApiList("/api/repos", RepositoryListSchema, pick);
  const list = items ?? [];
  return (
    <Panel title="Repositories" testId="repositories-panel">
      <p className="text-xs text-muted">
        Sessions of this team start only on these repositories. Protected branches, push tokens and the environment (setup script,
        network, secrets) belong to each repository.
      </p>
      {error && <ErrorNote testId="repo-error">{error}</ErrorNote>}
      {items && list.length === 0 && <p className="text-sm text-muted" data-testid="repos-empty">No repositories yet.</p>}
      {list.length > 0 && (
        <ul data-testid="repos-table" className="space-y-3">
          {list.map((r) => (
            <RepositoryRow key={r.id} repo={r} manage={manage} onChanged={reload} onError={setError} />
          ))}
        </ul>
      )}
      {manage && <AddRepository onAdded={reload} />}
    </Panel>
  );
}

function AddRepository({ onAdded }: { onAdded: () => Promise<void> }) {
  const [repo, setRepo] = useState("");
  const [protectedText, setProtectedText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function add(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { repo: repo.trim(), protectedBranches: splitBranches(protectedText) };
    const res = await apiJson("/api/repos", RepositoryDtoSchema, { method: "POST", body });
    setBusy(false);
    if (!res.ok) return setError(res.message);
    setRepo("");
    setProtectedText("");
    await onAdded();
  }

  return (
    <form onSubmit={add} aria-label="Add a repository" className="space-y-3 border-t border-line pt-3">
      <div className="grid gap-3 sm:grid-cols-[2fr_1fr]">
        <Field label="Repository (https URL, or a path on the Dockside host)" htmlFor="repo-add-input">
          <input id="repo-add-input" data-testid="repo-add-input" className={inputClass} value={repo} onChange={(e) => setRepo(e.target.value)}
            placeholder="https://github.com/org/repo.git or /srv/repos/app" required autoComplete="off" spellCheck={false} />
        </Field>
        <Field label="Protected branches (comma-separated)" htmlFor="repo-add-protected">
          <input id="repo-add-protected" data-testid="repo-add-protected" className={inputClass} value={protectedText}
            onChange={(e) => setProtectedText(e.target.value)} placeholder="main, release" autoComplete="off" />
        </Field>
      </div>
      <button type="submit" data-testid="repo-add" disabled={busy || !repo.trim()} className={primaryButton}>
        {busy ? "Checking…" : "Add repository"}
      </button>
      {error && <ErrorNote testId="repo-add-error">{error}</ErrorNote>}
    </form>
  );
}
