"use client";
// The structured diff for a range (`version` forces a refetch, after a review or a reset), and
// the layout it is shown in. The page gets the range's index first (files, counts, no hunks) and
// each file's hunks in pages as it nears the viewport (`demandHunks`), so a diff of thousands of
// files paints at once and never parses megabytes in one task.
import { startTransition, useCallback, useEffect, useRef, useState } from "react";
import type { DiffFile, DiffJson } from "../../lib/protocol/review";
import type { DiffMode } from "./file-body";
import { DiffPager } from "./lib/diff-pager";
import { loadDiffIndex, loadDiffPage, loadPreloadedDiffIndex, type ApiResult } from "./lib/review-api";
import type { Loaded } from "./use-review-data";

// The whole-branch index is what the page opens on: the page's server render has the browser
// preload it (app/sessions/[id]/review/page.tsx), and the page takes that answer as it mounts.
const PREFETCH_MS = 30_000;
const prefetched = new Map<string, { at: number; result: Promise<ApiResult<DiffJson>> }>();

export function prefetchDiff(sessionId: string): void {
  if (!prefetched.has(sessionId)) prefetched.set(sessionId, { at: Date.now(), result: loadPreloadedDiffIndex(sessionId) });
}

function takePrefetched(sessionId: string): Promise<ApiResult<DiffJson>> | null {
  const p = prefetched.get(sessionId);
  prefetched.delete(sessionId);
  return p && Date.now() - p.at < PREFETCH_MS ? p.result : null;
}

// Which pager serves a file: the viewers (the review page, the session's Diff tab) hand files to
// the list, and the list asks for their hunks through the file itself.
const pagers = new WeakMap<DiffFile, { pager: DiffPager; index: number }>();

function register(files: readonly DiffFile[], pager: DiffPager): void {
  files.forEach((f, index) => pagers.set(f, { pager, index }));
}

/** What stays the same while a diff's pages arrive (its pager): measured heights stay valid. */
export function diffSource(files: readonly DiffFile[]): object {
  return (files.length > 0 && pagers.get(files[0])?.pager) || files;
}

/**
 * Loads `file`'s hunks if they are not here yet (`full`: a huge file's whole diff, "Load diff";
 * `retry`: again after its page failed).
 */
export function demandHunks(file: DiffFile, full = false, retry = false): void {
  const p = pagers.get(file);
  p?.pager.demand(p.index, full, retry);
}

/** Why `file`'s hunks could not be loaded, if its page failed. */
export function hunksError(file: DiffFile): string | null {
  const p = pagers.get(file);
  return p ? p.pager.errorAt(p.index) : null;
}

/**
 * `initial`: the whole branch's index as the page's server render read it: the first render (the
 * server's, then hydration) shows it, and it serves the first whole-branch view only; anything
 * asked for later (another range, a reload) comes from the server again.
 */
export function useDiff(sessionId: string, from: string | undefined, to: string | undefined, version: number, initial: DiffJson | null = null): Loaded<DiffJson> {
  const fresh = useRef(initial !== null);
  const [state, setState] = useState<Loaded<DiffJson>>(() => (initial && !from && !to && version === 0 ? { kind: "ok", data: initial } : { kind: "loading" }));
  useEffect(() => {
    const ctl = new AbortController();
    let pager: DiffPager | null = null;
    const given = fresh.current && initial && !from && !to && version === 0 ? initial : null;
    fresh.current = false;
    if (!given) setState({ kind: "loading" });
    const early = !given && !from && !to && version === 0 ? takePrefetched(sessionId) : null;
    void (async () => {
      const res: ApiResult<DiffJson> = given ? { ok: true, status: 200, data: given } : await (early ?? loadDiffIndex(sessionId, { from, to }, ctl.signal));
      if (ctl.signal.aborted) return;
      if (!res.ok) return setState({ kind: "error", message: res.message });
      const index = res.data;
      // Pages ask for the range the index answered (commit ids), so they can't mix two ranges.
      const range = { from: index.from || undefined, to: index.to || undefined };
      pager = new DiffPager(
        index.files,
        (offset, limit, full, signal) => loadDiffPage(sessionId, { ...range, offset, limit, full }, signal),
        (files) => {
          register(files, pager!);
          // Rendering the page's lines can wait for input and paint: React slices this work.
          startTransition(() => setState({ kind: "ok", data: { ...index, files: files as DiffFile[] } }));
        },
        (message) => console.warn(`[review] a page of the diff failed: ${message}`),
      );
      register(index.files, pager);
      setState({ kind: "ok", data: index });
    })();
    return () => {
      ctl.abort();
      pager?.close();
    };
    // `initial` is the first render's only: a later one never starts this again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
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
