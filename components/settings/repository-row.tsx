"use client";
// One registered repository in Settings → Repositories. Admins and owners edit its protected
// branches, set or clear its push token (write-only: the page only knows whether one is set) and
// remove it; sessions started on it keep their history.
import { useState } from "react";
import { RepositoryDtoSchema, type RepositoryDto } from "../../lib/protocol/repos";
import { apiJson } from "../lib/api";
import { inputClass, secondaryButton } from "../ui/form";

export const splitBranches = (text: string) => text.split(",").map((b) => b.trim()).filter(Boolean);

interface Props {
  repo: RepositoryDto;
  manage: boolean;
  onChanged: () => Promise<void>;
  onError: (message: string | null) => void;
}

export function RepositoryRow({ repo, manage, onChanged, onError }: Props) {
  const [protectedText, setProtectedText] = useState(repo.protectedBranches.join(", "));
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const dirty = splitBranches(protectedText).join(", ") !== repo.protectedBranches.join(", ");

  async function patch(body: Record<string, unknown>) {
    setBusy(true);
    onError(null);
    const res = await apiJson(`/api/repos/${encodeURIComponent(repo.id)}`, RepositoryDtoSchema, { method: "PATCH", body });
    setBusy(false);
    if (!res.ok) return onError(res.message);
    setToken("");
    await onChanged();
  }

  async function remove() {
    if (!window.confirm(`Remove ${repo.name}? Its sessions keep their history; new sessions on it need it registered again.`)) return;
    onError(null);
    const res = await apiJson(`/api/repos/${encodeURIComponent(repo.id)}`, null, { method: "DELETE" });
    if (!res.ok) return onError(res.message);
    await onChanged();
  }

  return (
    <tr data-testid="repo-row" data-repo-id={repo.id} className="border-t border-line align-top">
      <td className="py-1.5 pr-3" data-testid="repo-name">{repo.name}</td>
      <td className="py-1.5 pr-3 font-mono text-xs break-all" data-testid="repo-source">{repo.source}</td>
      <td className="py-1.5 pr-3">
        {manage ? (
          <div className="flex gap-1">
            <input aria-label={`Protected branches of ${repo.name}`} data-testid="repo-protected-input" className={inputClass} value={protectedText}
              onChange={(e) => setProtectedText(e.target.value)} placeholder="main, release" autoComplete="off" />
            <button type="button" data-testid="repo-protected-save" disabled={busy || !dirty} className={secondaryButton}
              onClick={() => void patch({ protectedBranches: splitBranches(protectedText) })}>
              Save
            </button>
          </div>
        ) : (
          <span data-testid="repo-protected">{repo.protectedBranches.join(", ") || "none"}</span>
        )}
      </td>
      <td className="py-1.5 pr-3">
        <span data-testid="repo-token-state" className="text-xs text-muted">{repo.hasPushToken ? "set" : "none"}</span>
        {manage && repo.kind === "https" && (
          <div className="mt-1 flex gap-1">
            <input aria-label={`Push token for ${repo.name}`} data-testid="repo-token-input" type="password" className={inputClass} value={token}
              onChange={(e) => setToken(e.target.value)} autoComplete="off" placeholder="new token" />
            <button type="button" data-testid="repo-token-save" disabled={busy || !token} className={secondaryButton} onClick={() => void patch({ pushToken: token })}>
              Set
            </button>
            {repo.hasPushToken && (
              <button type="button" data-testid="repo-token-clear" disabled={busy} className={secondaryButton} onClick={() => void patch({ pushToken: null })}>
                Clear
              </button>
            )}
          </div>
        )}
      </td>
      <td className="py-1.5 text-right">
        {manage && (
          <button type="button" data-testid="repo-remove" onClick={() => void remove()} className="text-sm text-red-700 hover:underline dark:text-red-300">
            Remove
          </button>
        )}
      </td>
    </tr>
  );
}
