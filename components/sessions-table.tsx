"use client";
// The team's sessions as the history hook holds them: newest first, or search results with
// the passage that matched (shown as text, with the searched words marked).
import Link from "next/link";
import { useRouter } from "next/navigation";
import { formatUsd } from "../lib/protocol/money";
import { formatTokens, repoLabel, timeAgo } from "./lib/format";
import { highlightPieces } from "./lib/highlight";
import { useNow } from "./lib/use-now";
import type { HistoryRow, SessionList } from "./lib/use-session-list";
import { StatusBadge } from "./status-badge";
import { hasWork, ReviewStateBadge } from "./review/review-state-badge";
import { RoutineMark } from "./routines/routine-mark";

// A table cell from md up, an item of the row's card below.
const CELL = "block md:table-cell md:px-4 md:py-2";

interface Props {
  list: SessionList;
  /** The search words, to mark in match snippets. */
  query: string;
  filtered: boolean;
  canCreate: boolean;
}

export function SessionsTable({ list, query, filtered, canCreate }: Props) {
  const { sessions, loading, error, hasMore, loadMore } = list;
  const now = useNow();
  const router = useRouter();

  return (
    <>
      {error && (
        <p role="alert" data-testid="sessions-error" className="px-4 py-3 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      {!error && loading && sessions.length === 0 && <p className="px-4 py-6 text-center text-sm text-muted">Loading…</p>}
      {!error && !loading && sessions.length === 0 && (
        <p data-testid="sessions-empty" data-filtered={filtered} className="px-4 py-6 text-center text-sm text-muted">
          {filtered ? "No sessions match." : canCreate ? "No sessions yet. Start one above." : "No sessions yet."}
        </p>
      )}
      {sessions.length > 0 && (
        // Below md each row is a card (CSS only, one DOM): the cells flow in `order`, no columns.
        <table data-testid="sessions-table" className="block w-full text-sm md:table">
          <thead className="hidden text-left text-xs text-muted md:table-header-group">
            <tr>
              <th className="px-4 py-2 font-medium">Status</th>
              <th className="px-4 py-2 font-medium">Repository</th>
              <th className="px-4 py-2 font-medium">Branch</th>
              <th className="px-4 py-2 font-medium">Task</th>
              <th className="px-4 py-2 font-medium">Started by</th>
              <th className="px-4 py-2 text-right font-medium">Age</th>
              <th className="px-4 py-2 text-right font-medium">Tokens</th>
              <th className="px-4 py-2 text-right font-medium">Cost</th>
            </tr>
          </thead>
          <tbody className="block md:table-row-group">
            {sessions.map((s) => {
              // A search hit opens the session at the matched event (highlighted there).
              const href = `/sessions/${encodeURIComponent(s.id)}${s.match && s.match.seq > 0 ? `?at=${s.match.seq}` : ""}`;
              return (
                <tr key={s.id} data-testid="session-row" data-session-id={s.id} className="flex cursor-pointer flex-wrap items-center gap-x-3 gap-y-1 border-t border-line px-4 py-3 align-top hover:bg-sunken md:table-row md:p-0"
                  // The whole row is the click target; the links inside keep it keyboard-reachable.
                  onClick={(e) => {
                    if (!(e.target as HTMLElement).closest("a")) router.push(href);
                  }}
                >
                  <td className={`order-1 ${CELL}`}>
                    <div className="flex flex-wrap items-center gap-1">
                      <StatusBadge status={s.status} attention={s.attention} />
                      {hasWork(s) && <ReviewStateBadge state={s.reviewState} />}
                    </div>
                  </td>
                  <td className={`order-3 min-w-0 font-medium break-words ${CELL}`} title={s.repo}>
                    <Link href={href} className="hover:underline">
                      {repoLabel(s.repo)}
                    </Link>
                    {s.routine && (
                      <div className="mt-1">
                        <RoutineMark routine={s.routine} />
                      </div>
                    )}
                  </td>
                  <td className={`order-4 min-w-0 font-mono text-xs break-all text-muted ${CELL}`}>{s.branch}</td>
                  <td className={`order-5 w-full min-w-0 text-muted md:w-auto md:max-w-xs ${CELL}`}>
                    <Link href={href} className="block truncate" title={s.prompt}>
                      {s.prompt}
                    </Link>
                    {s.match && <MatchSnippet match={s.match} query={query} />}
                  </td>
                  <td className={`order-6 min-w-0 break-words md:whitespace-nowrap ${CELL}`} data-testid="session-author">
                    {s.createdBy ? (
                      <>
                        {/* A card has no column heading to say what the name is. */}
                        <span className="text-muted md:hidden">by </span>
                        {s.createdBy.name}
                      </>
                    ) : (
                      <span className="text-muted">—</span>
                    )}
                  </td>
                  <td className={`order-2 ml-auto text-right whitespace-nowrap text-muted ${CELL}`} title={s.createdAt}>
                    {timeAgo(s.createdAt, now)}
                  </td>
                  <td className={`order-7 ml-auto text-right font-mono text-xs ${CELL}`} data-testid="session-tokens">
                    {formatTokens(s.inputTokens + s.outputTokens)}
                  </td>
                  <td className={`order-8 text-right font-mono text-xs ${CELL}`} data-testid="session-cost" title={s.budgetUsd === null ? undefined : `budget ${formatUsd(s.budgetUsd)}`}>
                    {formatUsd(s.usage.costUsd)}
                  </td>
                </tr>
              );
            })}
          </tbody>
          <Totals sessions={sessions} more={hasMore} />
        </table>
      )}
      {hasMore && (
        <div className="border-t border-line px-4 py-2 text-center">
          <button type="button" data-testid="load-more" onClick={loadMore} disabled={loading} className="text-sm text-accent hover:underline disabled:opacity-50">
            {loading ? "Loading…" : "Load more"}
          </button>
        </div>
      )}
    </>
  );
}

// Totals of the rows shown (the list pages: "so far" when more can be loaded).
function Totals({ sessions, more }: { sessions: readonly HistoryRow[]; more: boolean }) {
  const tokens = sessions.reduce((a, s) => a + s.inputTokens + s.outputTokens, 0);
  const cost = sessions.reduce((a, s) => a + s.usage.costUsd, 0);
  return (
    <tfoot className="block border-t border-line text-xs text-muted md:table-footer-group">
      <tr className="flex flex-wrap gap-x-3 px-4 py-2 md:table-row md:p-0">
        <td colSpan={6} className={`w-full md:w-auto ${CELL}`}>
          Total of {sessions.length} session{sessions.length === 1 ? "" : "s"} shown{more ? " (load more for the rest)" : ""}
        </td>
        <td className={`ml-auto text-right font-mono ${CELL}`} data-testid="sessions-total-tokens">{formatTokens(tokens)}</td>
        <td className={`text-right font-mono ${CELL}`} data-testid="sessions-total-cost">{formatUsd(cost)}</td>
      </tr>
    </tfoot>
  );
}

// Plain text pieces: the snippet holds agent output and tool output, never markup to render.
function MatchSnippet({ match, query }: { match: NonNullable<HistoryRow["match"]>; query: string }) {
  return (
    <p data-testid="session-match" data-seq={match.seq} className="mt-1 line-clamp-3 text-xs break-words whitespace-pre-wrap text-fg/80">
      {highlightPieces(match.snippet, query).map((p, i) =>
        p.hit ? (
          <mark key={i} className="rounded-sm bg-amber-300/50 text-inherit">
            {p.text}
          </mark>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </p>
  );
}
