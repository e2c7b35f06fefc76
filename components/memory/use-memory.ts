"use client";
// The Memory page's data: the entries of each state (one request per state, so every tab has its
// count) for a scope and a search, the pending consolidation proposals, and the repositories.
import { useCallback, useEffect, useRef, useState } from "react";
import { MEMORY_STATES, MemoryListSchema, type MemoryEntryDto, type MemoryProposalDto, type MemoryState } from "../../lib/protocol/memory";
import { RepositoryListSchema, type RepositoryDto } from "../../lib/protocol/repos";
import { apiJson } from "../lib/api";
import { useApiList } from "../lib/use-api-list";

/** Entries fetched per state: a count at this limit shows as "200+". */
export const MEMORY_PAGE_LIMIT = 200;

export interface MemoryData {
  byState: Record<MemoryState, MemoryEntryDto[]>;
  proposals: MemoryProposalDto[];
}

/** scope: "" (all), "team" (the team's own entries) or a repository id. */
export function useMemoryLists(scope: string, q: string) {
  const [data, setData] = useState<MemoryData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    const ctl = new AbortController();
    void (async () => {
      const answers = await Promise.all(
        MEMORY_STATES.map((state) => {
          const params = new URLSearchParams({ state, limit: String(MEMORY_PAGE_LIMIT) });
          if (scope) params.set("repo", scope);
          if (q.trim()) params.set("q", q.trim());
          return apiJson(`/api/memory?${params}`, MemoryListSchema, { signal: ctl.signal });
        }),
      );
      if (ctl.signal.aborted) return;
      const failed = answers.find((a) => !a.ok);
      if (failed && !failed.ok) return setError(failed.message);
      const byState = {} as Record<MemoryState, MemoryEntryDto[]>;
      const proposals = new Map<string, MemoryProposalDto>();
      MEMORY_STATES.forEach((state, i) => {
        const a = answers[i];
        if (!a?.ok) return;
        byState[state] = a.data.entries.filter((e) => e.state === state);
        for (const p of a.data.proposals) if (p.state === "proposed") proposals.set(p.id, p);
      });
      setData({ byState, proposals: [...proposals.values()] });
      setError(null);
    })();
    return () => ctl.abort();
  }, [scope, q, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { data, error, reload };
}

const pickRepos = (d: { repositories: RepositoryDto[] }) => d.repositories;

export function useRepositories(): RepositoryDto[] {
  return useApiList("/api/repos", RepositoryListSchema, pickRepos).items ?? [];
}

/** Links end in #memory-<id> or #routine-<id>: scroll to it once the list is there. */
export function useScrollToHash(ready: boolean) {
  const done = useRef(false);
  useEffect(() => {
    if (!ready || done.current) return;
    done.current = true;
    const hash = decodeURIComponent(window.location.hash.slice(1));
    if (hash) document.getElementById(hash)?.scrollIntoView({ block: "center" });
  }, [ready]);
}
