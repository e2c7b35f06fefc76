"use client";
// The list page: start a session (members and up), then the team's history with search and
// filters. The filters live in the page address, so a search can be bookmarked or shared.
import { useCallback, useEffect, useState, type ReactNode } from "react";
import { can } from "../../lib/auth/roles";
import { filtersToSearch, isFiltered, type HistoryFilters as Filters } from "../lib/history-query";
import { useSessionList } from "../lib/use-session-list";
import { useActiveTeam } from "../me-provider";
import { NewSessionForm } from "../new-session-form";
import { SessionsTable } from "../sessions-table";
import { HistoryFilters } from "./history-filters";

/** `top`: shown first in the scrolling page (the home page's "Needs attention"). */
export function HistoryView({ initial, top }: { initial: Filters; top?: ReactNode }) {
  const active = useActiveTeam();
  const [filters, setFilters] = useState(initial);
  const list = useSessionList(filters);
  const onChange = useCallback((patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch })), []);

  useEffect(() => {
    const search = filtersToSearch(filters);
    if (window.location.search !== search) window.history.replaceState(null, "", `${window.location.pathname}${search}`);
  }, [filters]);

  if (!active) return null;
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto max-w-6xl space-y-6 px-4 py-6">
        {top}
        {can(active.team.role, "session.create") && <NewSessionForm />}
        <section aria-labelledby="sessions-heading" className="rounded-lg border border-line bg-panel">
          <h2 id="sessions-heading" className="border-b border-line px-4 py-2.5 text-sm font-semibold">
            History
          </h2>
          <HistoryFilters value={filters} onChange={onChange} teamId={active.team.id} />
          <SessionsTable list={list} query={filters.q} filtered={isFiltered(filters)} canCreate={can(active.team.role, "session.create")} />
        </section>
      </div>
    </div>
  );
}
