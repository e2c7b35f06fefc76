"use client";
// The home summary (GET /api/home), kept fresh: reloaded when a session of the team changes or a
// notification arrives (a burst of changes makes one reload), on reconnect, and every 30 s.
import { useCallback, useEffect, useRef, useState } from "react";
import { HomeSummarySchema, type HomeScope, type HomeSummary } from "../../lib/protocol/home";
import { apiJson } from "../lib/api";
import { getSocket } from "../lib/socket";

const REFRESH_MS = 30_000;
/** A running session changes many times a second (tokens, output): one reload per this much. */
const SETTLE_MS = 1_500;

// The last answer per address: "see all" remounts the page (new history filters), and the
// summary should stay on screen meanwhile instead of collapsing and pushing the history down.
const cache = new Map<string, HomeSummary>();

/**
 * `scope` null: the server picks (mine when the person has sessions in the team). `initial`: the
 * server-picked summary from the page's render, shown until the first load answers.
 */
export function useHomeSummary(scope: HomeScope | null, initial: HomeSummary | null = null) {
  const url = scope ? `/api/home?scope=${scope}` : "/api/home";
  const [data, setData] = useState<HomeSummary | null>(() => (scope ? null : initial) ?? cache.get(url) ?? null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(url);
  useEffect(() => {
    latest.current = url;
  });

  const load = useCallback(async () => {
    const asked = latest.current;
    const res = await apiJson(asked, HomeSummarySchema);
    if (asked !== latest.current) return; // the toggle moved meanwhile
    if (!res.ok) {
      setError(res.message);
      return;
    }
    cache.set(asked, res.data);
    setData(res.data);
    setError(null);
  }, []);

  useEffect(() => {
    const cached = cache.get(url);
    if (cached) setData(cached);
    void load();
  }, [url, load]);

  useEffect(() => {
    const socket = getSocket();
    let pending: ReturnType<typeof setTimeout> | null = null;
    const soon = () => {
      if (pending) return;
      pending = setTimeout(() => {
        pending = null;
        void load();
      }, SETTLE_MS);
    };
    const onConnect = () => {
      socket.emit("subscribe:list");
      void load();
    };
    socket.on("session:update", soon);
    socket.on("notification", soon);
    socket.on("connect", onConnect);
    if (socket.connected) socket.emit("subscribe:list");
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      socket.off("session:update", soon);
      socket.off("notification", soon);
      socket.off("connect", onConnect);
      clearInterval(timer);
      if (pending) clearTimeout(pending);
    };
  }, [load]);

  return { data, error, reload: load };
}
