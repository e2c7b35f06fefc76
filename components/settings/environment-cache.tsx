"use client";
// Cached environments: what setup left behind (node_modules, .venv, the agent's home), kept so the
// next session with the same lockfiles or commit starts from it instead of running setup again.
// Per repository (in its Environment section) and for the whole team (its own panel). Clearing
// only costs the next session a setup run.
import { useState } from "react";
import { can } from "../../lib/auth/roles";
import { EnvironmentListSchema, type EnvironmentList, type EnvironmentSnapshotDto } from "../../lib/protocol/environments";
import { RepositoryListSchema, type RepositoryDto } from "../../lib/protocol/repos";
import type { TeamDto } from "../../lib/protocol/teams";
import { ConfirmDialog } from "../confirm-dialog";
import { formatBytes, formatDuration, timeAgo } from "../lib/format";
import { send, useApiData } from "../lib/use-api-data";
import { useApiList } from "../lib/use-api-list";
import { useNow } from "../lib/use-now";
import { ErrorNote, Panel, secondaryButton } from "../ui/form";

const reposPath = (id: string) => `/api/repos/${encodeURIComponent(id)}/environments`;
const linkDanger = "text-xs text-red-700 hover:underline disabled:opacity-50 dark:text-red-300";

/** The cached environments of one repository, in its Environment section. */
export function RepoEnvironmentCache({ repo, manage }: { repo: RepositoryDto; manage: boolean }) {
  const { data, error, setError, reload } = useApiData(reposPath(repo.id), EnvironmentListSchema);
  const [busy, setBusy] = useState(false);
  const [confirmAll, setConfirmAll] = useState(false);
  const now = useNow();

  async function clear(path: string) {
    setBusy(true);
    const failure = await send(path, "DELETE");
    if (!failure) await reload();
    setError(failure);
    setBusy(false);
  }

  return (
    <div className="space-y-2" data-testid="env-cache">
      {error && <ErrorNote testId="env-cache-error">{error}</ErrorNote>}
      {data === null && !error && <p className="text-sm text-muted">Loading…</p>}
      {data?.environments.length === 0 && <p className="text-sm text-muted" data-testid="env-cache-empty">Nothing cached yet: the next session with a setup script makes one.</p>}
      {data && data.environments.length > 0 && (
        <ul className="divide-y divide-line rounded-md border border-line">
          {data.environments.map((e) => (
            <SnapshotRow key={e.id} snapshot={e} now={now} manage={manage} busy={busy}
              onClear={() => void clear(`${reposPath(repo.id)}/${encodeURIComponent(e.id)}`)} />
          ))}
        </ul>
      )}
      {manage && data && data.environments.length > 0 && (
        <button type="button" data-testid="env-cache-clear-all" className={secondaryButton} disabled={busy} onClick={() => setConfirmAll(true)}>
          Clear all
        </button>
      )}
      {confirmAll && (
        <ConfirmDialog
          title={`Clear the cached environments of ${repo.name}?`}
          message={`All ${data?.environments.length ?? 0} are deleted; the next session on ${repo.name} runs its setup again and caches the result.`}
          confirmLabel="Clear all"
          tone="danger"
          onCancel={() => setConfirmAll(false)}
          onConfirm={() => {
            setConfirmAll(false);
            void clear(reposPath(repo.id));
          }}
        />
      )}
    </div>
  );
}

function SnapshotRow({ snapshot: e, now, manage, busy, onClear }: { snapshot: EnvironmentSnapshotDto; now: number; manage: boolean; busy: boolean; onClear: () => void }) {
  return (
    <li data-testid="env-cache-row" data-id={e.id} className="flex flex-wrap items-start gap-x-4 gap-y-1 px-3 py-2 text-xs">
      <div className="min-w-0 flex-1 basis-48 space-y-0.5">
        <p className="font-mono break-all" data-testid="env-cache-basis">{e.basis}</p>
        <p className="text-muted">
          {formatBytes(e.sizeBytes)} · setup took {formatDuration(e.setupMs)}
          {e.uses > 0 && <> · used {e.uses === 1 ? "once" : `${e.uses} times`}, saving about {formatDuration(e.setupMs * e.uses)}</>}
        </p>
        <p className="text-muted">
          last used <span title={e.lastUsedAt}>{timeAgo(e.lastUsedAt, now)}</span> · created <span title={e.createdAt}>{timeAgo(e.createdAt, now)}</span>
        </p>
      </div>
      {manage && (
        <button type="button" data-testid="env-cache-clear" className={linkDanger} disabled={busy} onClick={onClear} aria-label={`Clear the cached environment ${e.basis}`}>
          Clear
        </button>
      )}
    </li>
  );
}

interface RepoUsage {
  repositoryId: string;
  count: number;
  bytes: number;
  lastUsedAt: string;
}

function byRepository(list: EnvironmentList): RepoUsage[] {
  const out = new Map<string, RepoUsage>();
  for (const e of list.environments) {
    const u = out.get(e.repositoryId) ?? { repositoryId: e.repositoryId, count: 0, bytes: 0, lastUsedAt: e.lastUsedAt };
    u.count += 1;
    u.bytes += e.sizeBytes;
    if (e.lastUsedAt > u.lastUsedAt) u.lastUsedAt = e.lastUsedAt;
    out.set(e.repositoryId, u);
  }
  return [...out.values()].sort((a, b) => b.bytes - a.bytes);
}

const pickRepos = (d: { repositories: RepositoryDto[] }) => d.repositories;

/** Settings → Environment cache: the team's cached environments against the installation's limit. */
export function EnvironmentCachePanel({ team }: { team: TeamDto }) {
  const manage = can(team.role, "repo.manage");
  const { data, error, setError, reload } = useApiData("/api/environments", EnvironmentListSchema);
  const { items: repos } = useApiList("/api/repos", RepositoryListSchema, pickRepos);
  const [busy, setBusy] = useState<string | null>(null);
  const now = useNow();
  const name = (id: string) => repos?.find((r) => r.id === id)?.name ?? "a removed repository";

  async function clear(repositoryId: string) {
    setBusy(repositoryId);
    const failure = await send(reposPath(repositoryId), "DELETE");
    if (!failure) await reload();
    setError(failure);
    setBusy(null);
  }

  const share = data && data.limitBytes > 0 ? Math.min(1, data.totalBytes / data.limitBytes) : 0;
  return (
    <Panel title="Environment cache" testId="env-cache-panel">
      <p className="text-xs text-muted">
        Results of setup scripts, restored by later sessions instead of running setup again. The least recently used go first when the
        cache is full; the limit is shared by every team of this Dockside.
      </p>
      {error && <ErrorNote testId="env-cache-panel-error">{error}</ErrorNote>}
      {data && (
        <div className="space-y-1">
          <p className="text-sm" data-testid="env-cache-total">
            {formatBytes(data.totalBytes)} <span className="text-muted">of {formatBytes(data.limitBytes)} in {data.environments.length} cached {data.environments.length === 1 ? "environment" : "environments"}</span>
          </p>
          <div role="meter" aria-label="Environment cache used" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share * 100)}
            className="h-1.5 overflow-hidden rounded-full bg-sunken">
            <div className={`h-full ${share > 0.9 ? "bg-amber-500" : "bg-accent"}`} style={{ width: `${share * 100}%` }} />
          </div>
        </div>
      )}
      {data && data.environments.length > 0 && (
        <ul className="divide-y divide-line rounded-md border border-line">
          {byRepository(data).map((u) => (
            <li key={u.repositoryId} data-testid="env-cache-repo" data-repo-id={u.repositoryId} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-3 py-2 text-sm">
              <span className="min-w-0 flex-1 basis-40 font-medium break-all">{name(u.repositoryId)}</span>
              <span className="text-xs text-muted">
                {u.count} · {formatBytes(u.bytes)} · last used {timeAgo(u.lastUsedAt, now)}
              </span>
              {manage && (
                <button type="button" data-testid="env-cache-repo-clear" className={linkDanger} disabled={busy !== null}
                  onClick={() => void clear(u.repositoryId)} aria-label={`Clear the cached environments of ${name(u.repositoryId)}`}>
                  Clear
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
