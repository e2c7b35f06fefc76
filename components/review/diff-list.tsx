"use client";
// All files of the diff in one scrolling column. Only files within a margin of the viewport get
// their lines rendered (IntersectionObserver); the rest are headers over placeholders. A file
// that leaves keeps its measured height as its placeholder, so the scrollbar doesn't jump.
import { startTransition, useEffect, useRef, useState, type ReactNode } from "react";
import type { DiffFile, ThreadDto } from "../../lib/protocol/review";
import { DiffFileView } from "./diff-file-view";
import type { DiffMode } from "./file-body";
import type { LineActions } from "./line-extras";
import { estimateBodyPx } from "./lib/diff-size";
import type { LineRef } from "./lib/line-keys";
import type { Draft } from "./use-drafts";

const MARGIN_PX = 1500;
const HEADER_PX = 40;
const NO_DRAFTS: readonly Draft[] = [];

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

interface Visible {
  near: ReadonlySet<number>;
  heights: ReadonlyMap<number, number>;
}

export function DiffList({ files, mode, current = null, threads, drafts, open = null, actions, children }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [win, setWin] = useState<Visible>(() => ({ near: firstScreen(files, mode), heights: new Map() }));

  // Measured heights belong to one layout; a new diff or mode starts from estimates again.
  const [basis, setBasis] = useState({ files, mode });
  if (basis.files !== files || basis.mode !== mode) {
    setBasis({ files, mode });
    setWin({ near: firstScreen(files, mode), heights: new Map() });
  }

  useEffect(() => {
    const root = scrollRef.current;
    if (!root) return;
    const io = new IntersectionObserver(
      (entries) => {
        const enter: number[] = [];
        const leave: [number, number][] = [];
        for (const e of entries) {
          const el = e.target as HTMLElement;
          const i = Number(el.dataset.index);
          if (e.isIntersecting) enter.push(i);
          else leave.push([i, el.querySelector<HTMLElement>("[data-file-body]")?.offsetHeight ?? -1]);
        }
        // Rendering lines can wait for input and paint: React slices this work.
        startTransition(() =>
          setWin((w) => {
            const near = new Set(w.near);
            const heights = new Map(w.heights);
            for (const i of enter) near.add(i);
            for (const [i, h] of leave) {
              near.delete(i);
              if (h > 0) heights.set(i, h);
            }
            return { near, heights };
          }),
        );
      },
      { root, rootMargin: `${MARGIN_PX}px 0px` },
    );
    for (const el of root.querySelectorAll("[data-file-section]")) io.observe(el);
    return () => io.disconnect();
  }, [files, mode]);

  return (
    <div ref={scrollRef} data-testid="diff-scroll" className="h-full overflow-y-auto px-4 py-3">
      {children}
      <div className="space-y-3">
        {files.map((f, i) => (
          <DiffFileView
            key={`${i}:${f.path}`}
            file={f}
            index={i}
            mode={mode}
            current={current === i}
            near={win.near.has(i) || open?.path === f.path || current === i}
            placeholderPx={win.heights.get(i) ?? estimateBodyPx(f, mode, false)}
            threads={threads?.get(f.path)}
            drafts={drafts?.get(f.path) ?? NO_DRAFTS}
            open={open?.path === f.path ? open : null}
            actions={actions}
          />
        ))}
      </div>
    </div>
  );
}

// What the first paint shows, before the observer has reported: files down to about two screens.
function firstScreen(files: readonly DiffFile[], mode: DiffMode): Set<number> {
  const near = new Set<number>();
  let y = 0;
  for (let i = 0; i < files.length && y < 2 * MARGIN_PX; i++) {
    near.add(i);
    y += HEADER_PX + estimateBodyPx(files[i], mode, false);
  }
  return near;
}
