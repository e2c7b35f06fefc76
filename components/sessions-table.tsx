"use client";
// All sessions, newest first, kept live by `session:update`.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { formatTokens, repoLabel, timeAgo } from "./lib/format";
import { useNow } from "./lib/use-now";
import { useSessionList } from "./lib/use-session-list";
import { StatusBadge } from "./status-badge";

export function SessionsTable() {
  const { sessions, loading, error, hasMore, loadMore } = useSessionList();
  const now = useNow();
  const router = useRouter();

  return (
    <section aria-labelledby="sessions-heading" className="rounded-lg border border-line bg-panel">
      <h2 id="sessions-heading" className="border-b border-line px-4 py-2.5 text-sm font-semibold">
        Sessions
      </h2>
      {error && (
        <p role="alert" data-testid="sessions-error" className="px-4 py-3 text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
      {!error && !loading && sessions.length === 0 && (
        <p data-testid="sessions-empty" className="px-4 py-6 text-center text-sm text-muted">
          No sessions yet. Start one above.
        </p>
      )}
      {sessions.length > 0 && (
        <table data-testid="sessions-table" className="w-full text-sm">
          <thead className="text-left text-xs text-muted">
            <tr>
              <th className="px-4 py-2 font-medium">Status</th>
              <th className="px-4 py-2 font-medium">Repository</th>
              <th className="px-4 py-2 font-medium">Branch</th>
              <th className="px-4 py-2 font-medium">Task</th>
              <th className="px-4 py-2 text-right font-medium">Age</th>
              <th className="px-4 py-2 text-right font-medium">Tokens</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => {
              const href = `/sessions/${encodeURIComponent(s.id)}`;
              return (
                <tr key={s.id} data-testid="session-row" data-session-id={s.id} className="cursor-pointer border-t border-line hover:bg-sunken"
                  // The whole row is the click target; the links inside keep it keyboard-reachable.
                  onClick={(e) => {
                    if (!(e.target as HTMLElement).closest("a")) router.push(href);
                  }}
                >
                  <td className="px-4 py-2">
                    <StatusBadge status={s.status} />
                  </td>
                  <td className="px-4 py-2 font-medium" title={s.repo}>
                    <Link href={href} className="hover:underline">
                      {repoLabel(s.repo)}
                    </Link>
                  </td>
                  <td className="px-4 py-2 font-mono text-xs text-muted">{s.branch}</td>
                  <td className="max-w-xs truncate px-4 py-2 text-muted" title={s.prompt}>
                    <Link href={href}>{s.prompt}</Link>
                  </td>
                  <td className="px-4 py-2 text-right whitespace-nowrap text-muted" title={s.createdAt}>
                    {timeAgo(s.createdAt, now)}
                  </td>
                  <td className="px-4 py-2 text-right font-mono text-xs" data-testid="session-tokens">
                    {formatTokens(s.inputTokens + s.outputTokens)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {hasMore && (
        <div className="border-t border-line px-4 py-2 text-center">
          <button type="button" data-testid="load-more" onClick={loadMore} disabled={loading} className="text-sm text-accent hover:underline disabled:opacity-50">
            {loading ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
    </section>
  );
}
