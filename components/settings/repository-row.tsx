"use client";
// One registered repository in Settings → Repositories. Admins and owners edit its protected
// branches, set or clear its push token (write-only: the page only knows whether one is set) and
// remove it; sessions started on it keep their history. Its Environment, Permissions and
// Integrations (MCP servers, admins only) sections open below.
import { useId, useState } from "react";
import { RepositoryDtoSchema, type RepositoryDto } from "../../lib/protocol/repos";
import { apiJson } from "../lib/api";
import { inputClass, secondaryButton } from "../ui/form";
import { RepoEnvironment } from "./repo-environment";
import { RepoPermissions } from "./repo-permissions";
import { RepoIntegrations } from "./integrations";

const ruleCount = (r: RepositoryDto) => (r.rules ? r.rules.allow.length + r.rules.ask.length + r.rules.deny.length : 0);
const hookCount = (r: RepositoryDto) => (r.hooks ? r.hooks.pre_tool.length + r.hooks.post_tool.length + r.hooks.stop.length : 0);

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
  const [envOpen, setEnvOpen] = useState(false);
  const [permOpen, setPermOpen] = useState(false);
  const [mcpOpen, setMcpOpen] = useState(false);
  const envId = useId();
  const permId = useId();
  const mcpId = useId();
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
    <li data-testid="repo-row" data-repo-id={repo.id} className="space-y-3 rounded-md border border-line p-3">
      <div className="flex flex-wrap items-start justify-between gap-x-3 gap-y-1">
        <div className="min-w-0 flex-1 basis-56">
          <p className="text-sm font-medium break-words" data-testid="repo-name">{repo.name}</p>
          <p className="font-mono text-xs break-all text-muted" data-testid="repo-source">{repo.source}</p>
        </div>
        {manage && (
          <button type="button" data-testid="repo-remove" onClick={() => void remove()} className="text-sm text-red-700 hover:underline dark:text-red-300">
            Remove
          </button>
        )}
      </div>
      <div className="grid gap-3 text-sm sm:grid-cols-2">
        <div className="min-w-0 space-y-1">
          <p className="text-xs font-medium text-muted">Protected branches</p>
          {manage ? (
            <div className="flex gap-1">
              <input aria-label={`Protected branches of ${repo.name}`} data-testid="repo-protected-input" className={`${inputClass} min-w-0`} value={protectedText}
                onChange={(e) => setProtectedText(e.target.value)} placeholder="main, release" autoComplete="off" />
              <button type="button" data-testid="repo-protected-save" disabled={busy || !dirty} className={`${secondaryButton} shrink-0`}
                onClick={() => void patch({ protectedBranches: splitBranches(protectedText) })}>
                Save
              </button>
            </div>
          ) : (
            <span data-testid="repo-protected">{repo.protectedBranches.join(", ") || "none"}</span>
          )}
        </div>
        <div className="min-w-0 space-y-1">
          <p className="text-xs font-medium text-muted">
            Push token: <span data-testid="repo-token-state">{repo.hasPushToken ? "set" : "none"}</span>
          </p>
          {manage && repo.kind === "https" && (
            <div className="flex gap-1">
              <input aria-label={`Push token for ${repo.name}`} data-testid="repo-token-input" type="password" className={`${inputClass} min-w-0`} value={token}
                onChange={(e) => setToken(e.target.value)} autoComplete="off" placeholder="new token" />
              <button type="button" data-testid="repo-token-save" disabled={busy || !token} className={`${secondaryButton} shrink-0`} onClick={() => void patch({ pushToken: token })}>
                Set
              </button>
              {repo.hasPushToken && (
                <button type="button" data-testid="repo-token-clear" disabled={busy} className={`${secondaryButton} shrink-0`} onClick={() => void patch({ pushToken: null })}>
                  Clear
                </button>
              )}
            </div>
          )}
        </div>
      </div>
      <div className="border-t border-line pt-2">
        <button type="button" data-testid="repo-env-toggle" aria-expanded={envOpen} aria-controls={envId} onClick={() => setEnvOpen(!envOpen)}
          className="flex items-center gap-1.5 text-sm font-medium hover:text-accent">
          <span aria-hidden className="w-3 text-muted">{envOpen ? "▾" : "▸"}</span>
          Environment
          <span className="hidden text-xs font-normal text-muted sm:inline">setup script, network, secrets, cache</span>
        </button>
        <div id={envId} hidden={!envOpen} className="pt-3">
          {envOpen && <RepoEnvironment repo={repo} manage={manage} />}
        </div>
      </div>
      <div className="border-t border-line pt-2">
        <button type="button" data-testid="repo-perm-toggle" aria-expanded={permOpen} aria-controls={permId} onClick={() => setPermOpen(!permOpen)}
          className="flex items-center gap-1.5 text-sm font-medium hover:text-accent">
          <span aria-hidden className="w-3 text-muted">{permOpen ? "▾" : "▸"}</span>
          Permissions
          <span className="hidden text-xs font-normal text-muted sm:inline">
            mode {repo.defaultMode ?? "(team's)"}, {ruleCount(repo)} rules, {hookCount(repo)} hooks
          </span>
        </button>
        <div id={permId} hidden={!permOpen} className="pt-3">
          {permOpen && <RepoPermissions repo={repo} manage={manage} onChanged={onChanged} />}
        </div>
      </div>
      {manage && (
        <div className="border-t border-line pt-2">
          <button type="button" data-testid="repo-mcp-toggle" aria-expanded={mcpOpen} aria-controls={mcpId} onClick={() => setMcpOpen(!mcpOpen)}
            className="flex items-center gap-1.5 text-sm font-medium hover:text-accent">
            <span aria-hidden className="w-3 text-muted">{mcpOpen ? "▾" : "▸"}</span>
            Integrations
            <span className="hidden text-xs font-normal text-muted sm:inline">MCP servers</span>
          </button>
          <div id={mcpId} hidden={!mcpOpen} className="pt-3">
            {mcpOpen && <RepoIntegrations repoId={repo.id} />}
          </div>
        </div>
      )}
    </li>
  );
}
