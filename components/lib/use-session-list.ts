"use client";
// The history list: pages of /api/sessions for the current filters, kept live by
// `session:update`. Unfiltered, new sessions appear at the top; filtered (search results),
// live updates only refresh rows already shown, since the server decides what matches.
import { useCallback, useEffect, useRef, useState } from "react";
import { z } from "zod";
import { SessionDtoSchema } from "../../lib/protocol/api";
import { apiJson } from "./api";
import { historyQuery, isFiltered, type HistoryFilters } from "./history-query";
import { getSocket } from "./socket";

const HistoryRowSchema = SessionDtoSchema.extend({
  /** For full-text searches: where the words were found. */
  match: z.object({ seq: z.number().int(), snippet: z.string() }).nullish(),
});
export type HistoryRow = z.infer<typeof HistoryRowSchema>;

const ListSchema = z.object({
  sessions: z.array(HistoryRowSchema),
  nextCursor: z.union([z.string(), z.number()]).nullable().optional(),
});

export interface SessionList {
  sessions: HistoryRow[];
  loading: boolean;
  error: string | null;
  hasMore: boolean;
  loadMore: () => void;
}

export function useSessionList(filters: HistoryFilters): SessionList {
  const [rows, setRows] = useState<HistoryRow[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  // A cursor belongs to the filter generation that produced it.
  const [cursor, setCursor] = useState<{ value: string; gen: number } | null>(null);
  // The socket handler and the loader outlive renders: they read the current filters and
  // cursor through this ref (updated by the first effect, before the ones that read it).
  const latest = useRef({ filters, cursor });
  // Each new filter set starts a generation; answers for an older one are dropped.
  const generation = useRef(0);
  // The first page's URL stands for the filters: a new object with the same values is no change.
  const firstPage = historyQuery(filters, null);

  useEffect(() => {
    latest.current = { filters, cursor };
  });

  const load = useCallback(async (after: string | null, gen: number, signal?: AbortSignal) => {
    setLoading(true);
    const res = await apiJson(historyQuery(latest.current.filters, after), ListSchema, { signal });
    if (signal?.aborted || gen !== generation.current) return;
    setLoading(false);
    if (!res.ok) {
      setError(res.message);
      return;
    }
    setError(null);
    setCursor(res.data.nextCursor == null ? null : { value: String(res.data.nextCursor), gen });
    setRows((prev) => appendPage(after === null ? [] : prev, res.data.sessions));
  }, []);

  useEffect(() => {
    const gen = ++generation.current;
    const ctl = new AbortController();
    // The rows shown stay until the new first page replaces them: no flash of "Loading…" per keystroke.
    setCursor(null);
    void load(null, gen, ctl.signal);
    return () => ctl.abort();
  }, [firstPage, load]);

  useEffect(() => {
    const socket = getSocket();
    const onConnect = () => socket.emit("subscribe:list");
    const onUpdate = (s: unknown) => {
      const parsed = SessionDtoSchema.safeParse(s);
      if (!parsed.success) return;
      const { filters: f, cursor: c } = latest.current;
      setRows((prev) => mergeLive(prev, parsed.data, isFiltered(f), c !== null));
    };
    socket.on("connect", onConnect);
    socket.on("session:update", onUpdate);
    if (socket.connected) onConnect();
    return () => {
      socket.off("connect", onConnect);
      socket.off("session:update", onUpdate);
    };
  }, []);

  const loadMore = useCallback(() => {
    if (cursor !== null) void load(cursor.value, cursor.gen);
  }, [cursor, load]);
  return { sessions: rows, loading, error, hasMore: cursor !== null, loadMore };
}

// Pages keep the server's order (a search may rank by relevance); a row already shown, say
// from a live update, is kept in place.
function appendPage(prev: HistoryRow[], page: HistoryRow[]): HistoryRow[] {
  const next = prev.slice();
  const at = new Map(next.map((r, i) => [r.id, i]));
  for (const row of page) {
    const i = at.get(row.id);
    if (i === undefined) {
      at.set(row.id, next.length);
      next.push(row);
    } else if (next[i].updatedAt <= row.updatedAt) next[i] = { ...row, match: row.match ?? next[i].match };
  }
  return next;
}

function mergeLive(prev: HistoryRow[], row: HistoryRow, filtered: boolean, hasMore: boolean): HistoryRow[] {
  const i = prev.findIndex((r) => r.id === row.id);
  if (i !== -1) {
    // Live updates may arrive before or after the page load; the newer row wins either way.
    if (prev[i].updatedAt > row.updatedAt) return prev;
    const next = prev.slice();
    // An update that doesn't name the author (older server code paths) keeps the one shown.
    next[i] = { ...row, match: prev[i].match, createdBy: row.createdBy ?? prev[i].createdBy };
    return next;
  }
  if (filtered) return prev;
  // A session older than the loaded pages belongs to a page not fetched yet: "load more" brings it.
  const oldest = prev[prev.length - 1];
  if (hasMore && oldest && row.createdAt < oldest.createdAt) return prev;
  return [...prev, row].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
