"use client";
// All files of the diff in one scrolling column, virtualised: only the files in and near the
// viewport are in the page (@tanstack/react-virtual measures them as they render; the others
// count at their estimated height), so a diff of thousands of files costs the page a few dozen
// elements per file on screen. Every file keeps an empty anchor at its place (`fileAnchorId`),
// so "scroll to file i" is a native scrollIntoView wherever the file is.
import { defaultRangeExtractor, useVirtualizer, type Range } from "@tanstack/react-virtual";
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import type { DiffFile, ThreadDto } from "../../lib/protocol/review";
import { DiffFileView, fileAnchorId } from "./diff-file-view";
import type { DiffMode } from "./file-body";
import type { LineActions } from "./line-extras";
import { estimateBodyPx } from "./lib/diff-size";
import type { LineRef } from "./lib/line-keys";
import type { Draft } from "./use-drafts";
import { demandHunks, diffSource } from "./use-diff";

const HEADER_PX = 40;
const GAP_PX = 12;
// Files rendered past either edge of the viewport (a file can be long: few, beyond the screen).
const OVERSCAN = 2;
// Files whose hunks are asked for past the rendered ones, so scrolling on finds them loaded.
const PREFETCH = 20;
const NO_DRAFTS: readonly Draft[] = [];
const FIRST_WINDOW = { width: 1280, height: 900 };

interface Props {
  files: readonly DiffFile[];
  mode: DiffMode;
  /** The file the keyboard is on (rendered, and marked). */
  current?: number | null;
  /** The review's state; all absent on a read-only view (the session's Diff tab). */
  threads?: ReadonlyMap<string, ReadonlyMap<string, ThreadDto[]>>;
  drafts?: ReadonlyMap<string, Draft[]>;
  open?: LineRef | null;
  actions?: LineActions;
  /** Shown above the files, scrolling with them. */
  children?: ReactNode;
}

export function DiffList({ files, mode, current = null, threads, drafts, open = null, actions, children }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const headRef = useRef<HTMLDivElement>(null);
  const [headPx, setHeadPx] = useState(0);
  // Where the list starts in the scroller (the toolbar and notes above it grow and shrink).
  useLayoutEffect(() => {
    const el = headRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeadPx(el.offsetTop + el.offsetHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Measured heights belong to one diff in one layout: the keys say which (a diff whose pages
  // arrive stays the same diff, so its measurements stay).
  const source = diffSource(files);
  const generation = useGeneration(source);
  const filesRef = useRef(files);
  filesRef.current = files;
  const getItemKey = useCallback((i: number) => `${generation}:${mode}:${i}:${filesRef.current[i]?.path}`, [generation, mode]);
  const estimateSize = useCallback((i: number) => {
    const f = filesRef.current[i];
    return f ? HEADER_PX + estimateBodyPx(f, mode, false) : HEADER_PX;
  }, [mode]);
  // The keyboard's file and the one with the open comment box stay rendered wherever they are
  // (the box holds what the reader is typing).
  const openAt = open ? files.findIndex((f) => f.path === open.path) : -1;
  const rangeExtractor = useCallback(
    (range: Range) => {
      const out = new Set(defaultRangeExtractor(range));
      for (const i of [current ?? -1, openAt]) if (i >= 0 && i < range.count) out.add(i);
      return [...out].sort((a, b) => a - b);
    },
    [current, openAt],
  );
  const v = useVirtualizer({
    count: files.length,
    getScrollElement: () => scrollRef.current,
    estimateSize,
    getItemKey,
    overscan: OVERSCAN,
    rangeExtractor,
    scrollMargin: headPx,
    gap: GAP_PX,
    // Rows arrive with their file's page; a scroll re-renders in React's own time (no flushSync).
    useFlushSync: false,
    // The window before anything is measured: the server renders the first files into the page's
    // HTML with it, and the browser's first render (hydration) picks the same ones.
    initialRect: FIRST_WINDOW,
  });
  const items = v.getVirtualItems();
  // The on-screen run, without the kept-rendered files that may lie elsewhere.
  const run = items.filter((it) => it.index !== current && it.index !== openAt);
  const first = run[0]?.index ?? 0;
  const last = run[run.length - 1]?.index ?? -1;
  // Files on and near the screen (and the keyboard's) get their hunks; nearest first.
  useEffect(() => {
    const want = (i: number) => files[i]?.deferred && demandHunks(files[i]);
    for (let i = Math.min(files.length - 1, last + PREFETCH); i > last; i--) want(i);
    for (let i = Math.max(0, first - PREFETCH); i < first; i++) want(i);
    for (let i = last; i >= first; i--) want(i);
    if (current !== null) want(current);
  }, [first, last, files, current]);

  return (
    <div ref={scrollRef} data-testid="diff-scroll" className="relative h-full overflow-y-auto px-4 py-3">
      <div ref={headRef}>{children}</div>
      <div className="relative" style={{ height: v.getTotalSize() }}>
        <Anchors starts={v.measurementsCache.map((m) => m.start - headPx)} />
        {items.map((it) => {
          const f = files[it.index];
          if (!f) return null;
          return (
            <div key={it.key} data-index={it.index} ref={v.measureElement} className="absolute inset-x-0 top-0" style={{ transform: `translateY(${it.start - headPx}px)` }}>
              <DiffFileView
                file={f}
                index={it.index}
                mode={mode}
                current={current === it.index}
                placeholderPx={estimateBodyPx(f, mode, false)}
                threads={threads?.get(f.path)}
                drafts={drafts?.get(f.path) ?? NO_DRAFTS}
                open={openAt === it.index ? open : null}
                actions={actions}
              />
            </div>
          );
        })}
      </div>
    </div>
  );
}

// One empty element per file at its (measured or estimated) place: a target for scrollIntoView.
const Anchors = memo(
  function Anchors({ starts }: { starts: number[] }) {
    return starts.map((top, i) => <div key={i} id={fileAnchorId(i)} aria-hidden className="pointer-events-none absolute scroll-mt-2" style={{ top }} />);
  },
  (a, b) => a.starts.length === b.starts.length && a.starts.every((s, i) => s === b.starts[i]),
);

// A number per diff (object identity), for keys that must not carry over to another diff.
function useGeneration(source: object): number {
  const [seen, setSeen] = useState({ source, n: 0 });
  if (seen.source !== source) {
    const next = { source, n: seen.n + 1 };
    setSeen(next);
    return next.n;
  }
  return seen.n;
}
