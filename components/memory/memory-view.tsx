"use client";
// The Memory page: what the team's agents know before they start. A scope filter (all, the
// team's own, each repository), a search, the entries by state (proposed first: they wait for a
// person), consolidation proposals, and for members a form to write an entry. The filters live in
// the page address, so a view can be bookmarked (the transcript's cards link here).
import { useEffect, useMemo, useState } from "react";
import { can } from "../../lib/auth/roles";
import { MEMORY_STATES, type MemoryEntryDto, type MemoryState } from "../../lib/protocol/memory";
import { repoLabel } from "../lib/format";
import { useActiveTeam } from "../me-provider";
import { ErrorNote, inputClass, primaryButton } from "../ui/form";
import { STATE_WORDS } from "./memory-api";
import { MemoryEntryCard } from "./memory-entry";
import { MemoryProposals } from "./memory-proposals";
import { NewMemoryForm } from "./new-memory-form";
import { MEMORY_PAGE_LIMIT, useMemoryLists, useRepositories, useScrollToHash } from "./use-memory";

export interface MemoryFilters {
  /** "" all, "team" the team's own entries, else a repository id. */
  scope: string;
  /** null: proposed when something waits for review, else accepted. */
  state: MemoryState | null;
  q: string;
}

const DEBOUNCE_MS = 300;

const EMPTY_TAB: Record<MemoryState, string> = {
  proposed: "Nothing waits for review. When an agent learns something worth keeping it proposes an entry, and it shows up here.",
  accepted: "No accepted entries here yet. Accept a proposed one, or write one.",
  archived: "Nothing archived. Archived entries stop reaching new sessions and keep their history.",
  rejected: "Nothing rejected.",
};

export function MemoryView({ initial }: { initial: MemoryFilters }) {
  const active = useActiveTeam();
  const canWrite = active !== null && can(active.team.role, "memory.write");
  const repos = useRepositories();
  const [scope, setScope] = useState(initial.scope);
  const [typed, setTyped] = useState(initial.q);
  const [q, setQ] = useState(initial.q);
  const [tab, setTab] = useState<MemoryState | null>(initial.state);
  const [writing, setWriting] = useState(false);
  const [added, setAdded] = useState<MemoryEntryDto | null>(null);
  const { data, error, reload } = useMemoryLists(scope, q);

  useEffect(() => {
    const t = setTimeout(() => setQ(typed), DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [typed]);

  const shown: MemoryState = tab ?? (data && data.byState.proposed.length === 0 ? "accepted" : "proposed");
  useEffect(() => {
    const params = new URLSearchParams();
    if (scope) params.set("repo", scope);
    if (tab) params.set("state", tab);
    if (q) params.set("q", q);
    const search = params.toString() ? `?${params}` : "";
    if (window.location.search !== search) window.history.replaceState(null, "", `${window.location.pathname}${search}${window.location.hash}`);
  }, [scope, tab, q]);
  useScrollToHash(data !== null);

  const known = useMemo(() => new Map(data ? MEMORY_STATES.flatMap((s) => data.byState[s]).map((e) => [e.id, e] as const) : []), [data]);
  const total = data ? MEMORY_STATES.reduce((n, s) => n + data.byState[s].length, 0) : null;

  function created(entry: MemoryEntryDto) {
    // Show the new entry where it landed, whatever the filters were.
    setWriting(false);
    setAdded(entry);
    setTab(entry.state);
    if (scope && scope !== (entry.repoId ?? "team")) setScope("");
    setTyped("");
    setQ("");
    reload();
  }

  if (!active) return null;
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto max-w-4xl space-y-6 px-4 py-6">
        <header className="flex flex-wrap items-start gap-3">
          <div className="min-w-0 flex-1 basis-64 space-y-1">
            <h1 className="text-base font-semibold">Memory</h1>
            <p className="text-sm text-muted">
              What {active.team.name}&apos;s agents know before they start: build commands, conventions, pitfalls, decisions. Accepted entries
              reach every new session of their repository (team-wide ones reach all sessions), and agents search them with <code>recall</code>.
            </p>
          </div>
          {canWrite && !writing && (
            <button type="button" data-testid="memory-new" onClick={() => setWriting(true)} className={primaryButton}>
              New entry
            </button>
          )}
        </header>
        <div role="search" className="flex flex-col gap-2 sm:flex-row">
          <label htmlFor="memory-search" className="sr-only">
            Search memory
          </label>
          <input id="memory-search" data-testid="memory-search" type="search" className={inputClass} value={typed} onChange={(e) => setTyped(e.target.value)}
            placeholder="Search entries" autoComplete="off" spellCheck={false} />
          <label htmlFor="memory-scope-filter" className="sr-only">
            Scope
          </label>
          <select id="memory-scope-filter" data-testid="memory-scope-filter" className={`${inputClass} sm:w-56`} value={scope} onChange={(e) => setScope(e.target.value)}>
            <option value="">All entries</option>
            <option value="team">Team-wide</option>
            {repos.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </div>
        {error && <ErrorNote testId="memory-error">{error}</ErrorNote>}
        {data && <MemoryProposals proposals={data.proposals} known={known} canWrite={canWrite} onDecided={reload} />}
        {canWrite && writing && <NewMemoryForm repos={repos} defaultScope={scope} onCreated={created} onCancel={() => setWriting(false)} />}
        {added && (
          <p role="status" data-testid="memory-new-done" className="text-sm text-emerald-800 dark:text-emerald-400">
            Added{added.state === "accepted" ? " and accepted" : ""}: it reaches new sessions {added.repo ? `of ${repoLabel(added.repo)}` : "of every repository"}.
          </p>
        )}
        <section aria-label="Entries" className="rounded-lg border border-line bg-panel">
          <div role="tablist" aria-label="Entry states" className="flex flex-wrap gap-x-1 border-b border-line px-2">
            {MEMORY_STATES.map((s) => {
              const n = data?.byState[s].length;
              return (
                <button key={s} type="button" role="tab" data-testid={`memory-tab-${s}`} aria-selected={s === shown} onClick={() => setTab(s)}
                  className={`-mb-px border-b-2 px-2 py-2 text-sm ${s === shown ? "border-accent font-medium text-fg" : "border-transparent text-muted hover:text-fg"}`}>
                  {STATE_WORDS[s]}
                  {n !== undefined && (
                    <span data-testid="memory-tab-count" className="ml-1 rounded-full bg-sunken px-1.5 text-xs tabular-nums">
                      {n >= MEMORY_PAGE_LIMIT ? `${MEMORY_PAGE_LIMIT}+` : n}
                    </span>
                  )}
                </button>
              );
            })}
          </div>
          <div role="tabpanel" className="p-3">
            {!data && !error && <p className="py-4 text-center text-sm text-muted">Loading…</p>}
            {data && total === 0 && !q ? (
              <MemoryIntro canWrite={canWrite} />
            ) : data && data.byState[shown].length === 0 ? (
              <p data-testid="memory-empty" className="py-4 text-center text-sm text-muted">
                {q ? `No ${STATE_WORDS[shown].toLowerCase()} entries match “${q}”.` : EMPTY_TAB[shown]}
              </p>
            ) : (
              data && (
                <ul data-testid="memory-list" className="space-y-3">
                  {data.byState[shown].map((e) => (
                    <MemoryEntryCard key={e.id} entry={e} canWrite={canWrite} onChanged={reload} />
                  ))}
                </ul>
              )
            )}
          </div>
        </section>
      </div>
    </div>
  );
}

function MemoryIntro({ canWrite }: { canWrite: boolean }) {
  return (
    <div data-testid="memory-empty" className="space-y-2 px-2 py-4 text-sm text-muted">
      <p className="font-medium text-fg">No memory yet.</p>
      <p>
        Entries arrive two ways: an agent proposes one with its <code>remember</code> tool when it learns something worth keeping (it waits under
        Proposed, and in its session, until a person accepts, edits or rejects it){canWrite ? ", or you write one with New entry" : ", or a member writes one"}.
      </p>
      <p>Every change keeps a version with its author. Nothing secret is stored: entries with keys, tokens or connection strings are refused.</p>
    </div>
  );
}
