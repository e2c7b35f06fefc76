"use client";
// The sessions list: one HTTP page load, then live rows from `session:update`.
import { useCallback, useEffect, useState } from "react";
import { z } from "zod";
import { SessionDtoSchema, type SessionDto } from "../../lib/protocol/api";
import { apiJson } from "./api";
import { getSocket } from "./socket";

const ListSchema = z.object({
  sessions: z.array(SessionDtoSchema),
  nextCursor: z.union([z.string(), z.number()]).nullable().optional(),
});

export interface SessionList {
  sessions: SessionDto[];
  loading: boolean;
  error: string | null;
  hasMore: boolean;
  loadMore: () => void;
}

export function useSessionList(): SessionList {
  const [byId, setById] = useState<ReadonlyMap<string, SessionDto>>(new Map());
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);

  const load = useCallback(async (after: string | null, signal?: AbortSignal) => {
    setLoading(true);
    const qs = after === null ? "" : `?cursor=${encodeURIComponent(after)}`;
    const res = await apiJson(`/api/sessions${qs}`, ListSchema, { signal });
    if (signal?.aborted) return;
    setLoading(false);
    if (!res.ok) {
      setError(res.message);
      return;
    }
    setError(null);
    setCursor(res.data.nextCursor == null ? null : String(res.data.nextCursor));
    setById((prev) => mergeRows(prev, res.data.sessions));
  }, []);

  useEffect(() => {
    const ctl = new AbortController();
    void load(null, ctl.signal);
    return () => ctl.abort();
  }, [load]);

  useEffect(() => {
    const socket = getSocket();
    const onConnect = () => socket.emit("subscribe:list");
    const onUpdate = (s: SessionDto) => {
      const parsed = SessionDtoSchema.safeParse(s);
      if (parsed.success) setById((prev) => mergeRows(prev, [parsed.data]));
    };
    socket.on("connect", onConnect);
    socket.on("session:update", onUpdate);
    if (socket.connected) onConnect();
    return () => {
      socket.off("connect", onConnect);
      socket.off("session:update", onUpdate);
    };
  }, []);

  const sessions = [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const loadMore = useCallback(() => {
    if (cursor !== null) void load(cursor);
  }, [cursor, load]);
  return { sessions, loading, error, hasMore: cursor !== null, loadMore };
}

// Live updates may arrive before or after the page load; the newer row wins either way.
function mergeRows(prev: ReadonlyMap<string, SessionDto>, rows: SessionDto[]): ReadonlyMap<string, SessionDto> {
  const next = new Map(prev);
  for (const row of rows) {
    const old = next.get(row.id);
    if (!old || old.updatedAt <= row.updatedAt) next.set(row.id, row);
  }
  return next;
}
