"use client";
// The structured diff for a range (`version` forces a refetch, after a review or a reset), and
// the layout it is shown in.
import { startTransition, useCallback, useEffect, useState } from "react";
import type { DiffJson } from "../../lib/protocol/review";
import type { DiffMode } from "./file-body";
import { loadDiff, type ApiResult } from "./lib/review-api";
import type { Loaded } from "./use-review-data";

// The whole-branch diff is what the page opens on, and the slowest answer: it is requested as
// soon as the page knows the session id, alongside the session itself, not after it.
const PREFETCH_MS = 30_000;
const prefetched = new Map<string, { at: number; result: Promise<ApiResult<DiffJson>> }>();

export function prefetchDiff(sessionId: string): void {
  if (!prefetched.has(sessionId)) prefetched.set(sessionId, { at: Date.now(), result: loadDiff(sessionId, {}) });
}

function takePrefetched(sessionId: string): Promise<ApiResult<DiffJson>> | null {
  const p = prefetched.get(sessionId);
  prefetched.delete(sessionId);
  return p && Date.now() - p.at < PREFETCH_MS ? p.result : null;
}

export function useDiff(sessionId: string, from: string | undefined, to: string | undefined, version: number): Loaded<DiffJson> {
  const [state, setState] = useState<Loaded<DiffJson>>({ kind: "loading" });
  useEffect(() => {
    const ctl = new AbortController();
    setState({ kind: "loading" });
    const early = !from && !to && version === 0 ? takePrefetched(sessionId) : null;
    void (async () => {
      const res = await (early ?? loadDiff(sessionId, { from, to }, ctl.signal));
      if (ctl.signal.aborted) return;
      setState(res.ok ? { kind: "ok", data: res.data } : { kind: "error", message: res.message });
    })();
    return () => ctl.abort();
  }, [sessionId, from, to, version]);
  return state;
}

const MODE_KEY = "dockside.diff-mode";

/** Unified or side by side, remembered across visits (read after mount: no storage on the server). */
export function useDiffMode(): [DiffMode, (m: DiffMode) => void] {
  const [mode, setMode] = useState<DiffMode>("unified");
  useEffect(() => {
    if (localStorage.getItem(MODE_KEY) === "split") setMode("split");
  }, []);
  const change = useCallback((m: DiffMode) => {
    localStorage.setItem(MODE_KEY, m);
    // Re-rendering every visible line in the other layout may take a few frames; stay responsive.
    startTransition(() => setMode(m));
  }, []);
  return [mode, change];
}
