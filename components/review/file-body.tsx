"use client";
// The lines of one file, with threads, pending comments and the comment box under their lines.
// Long files render only the blocks of rows near the view, so no task builds thousands of rows.
// Without review props (the session's Diff tab, an edit in the transcript) it is read-only.
import { startTransition, useEffect, useMemo, useRef, useState, type MouseEvent, type ReactNode } from "react";
import type { DiffFile, ThreadDto } from "../../lib/protocol/review";
import { HunkHeader, SplitPairRow, UnifiedRow } from "./diff-rows";
import { LineExtras, type LineActions } from "./line-extras";
import { ROW_PX } from "./lib/diff-size";
import { keysOfLine, lineKey, type LineRef } from "./lib/line-keys";
import { splitRows, type SplitRow } from "./lib/split-rows";
import type { Draft } from "./use-drafts";

export type DiffMode = "unified" | "split";

type Item = { kind: "hunk"; header: string } | { kind: "line"; line: DiffFile["hunks"][number]["lines"][number] } | { kind: "pair"; row: SplitRow };

// Rows per block; the first blocks of a file render as it mounts (about a screen).
const BLOCK = 50;
const EAGER_BLOCKS = 2;
const NONE: readonly never[] = [];

interface Props {
  file: DiffFile;
  mode: DiffMode;
  lang: string | null;
  threads?: ReadonlyMap<string, ThreadDto[]>;
  drafts?: readonly Draft[];
  open?: LineRef | null;
  /** Absent: read-only (no comment buttons, nothing under the lines). */
  actions?: LineActions;
}

export function FileBody({ file, mode, lang, threads, drafts = NONE, open = null, actions }: Props) {
  const items = useMemo(() => toItems(file, mode), [file, mode]);
  const draftsByKey = useMemo(() => {
    const m = new Map<string, Draft[]>();
    for (const d of drafts) {
      const k = lineKey(d.path, d.side, d.line);
      m.set(k, [...(m.get(k) ?? []), d]);
    }
    return m;
  }, [drafts]);
  const openKey = open ? lineKey(open.path, open.side, open.line) : null;

  // One listener for every line number and "+" button of the file.
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const at = (e.target as HTMLElement).closest<HTMLElement>("[data-comment-at]")?.dataset.commentAt;
    if (!at || !actions?.canReview) return;
    const [side, n] = at.split(":");
    actions.openComment({ path: file.path, side: side === "old" ? "old" : "new", line: Number(n) });
  };

  const canReview = actions?.canReview ?? false;
  // Rows go in blocks of BLOCK; a block's rows are in the page only once it comes near the view
  // (until then a placeholder of about their height): a 5,000-line file costs a scroll only the
  // rows on screen. The first blocks and the one holding the open comment box render at once.
  const blocks: { rows: ReactNode[]; hunks: number[]; pinned: boolean }[] = [];
  const at = (i: number) => (blocks[Math.floor(i / BLOCK)] ??= { rows: [], hunks: [], pinned: false });
  let hunk = -1;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (it.kind === "hunk") {
      at(i).hunks.push(++hunk);
      at(i).rows.push(<HunkHeader key={i} index={hunk} header={it.header} />);
      continue;
    }
    at(i).rows.push(
      it.kind === "line" ? (
        <UnifiedRow key={i} path={file.path} line={it.line} lang={lang} canReview={canReview} />
      ) : (
        <SplitPairRow key={i} row={it.row} lang={lang} canReview={canReview} />
      ),
    );
    if (!actions) continue;
    const keys = itemKeys(file.path, it);
    const ts = threads ? gather(keys, threads) : NONE;
    const ds = gather(keys, draftsByKey);
    // The box opens under the first row showing its line (a context line appears once per side).
    const boxHere = openKey !== null && keys.includes(openKey) ? open : null;
    if (boxHere) at(i).pinned = true;
    if (ts.length || ds.length || boxHere) at(i).rows.push(<LineExtras key={`x${i}`} threads={ts} drafts={ds} open={boxHere} actions={actions} />);
  }
  return (
    <div data-file-body onClick={onClick} className="overflow-hidden font-mono text-xs leading-5">
      {blocks.map((b, k) => (
        <Block key={k} rows={b.rows} hunks={b.hunks} px={Math.min(BLOCK, items.length - k * BLOCK) * ROW_PX} eager={k < EAGER_BLOCKS || b.pinned} />
      ))}
    </div>
  );
}

const NEAR_PX = 600;

/**
 * Rows once they come within NEAR_PX of the scroller's view (and from then on); before that an
 * empty box of their estimated height, naming the hunks it holds (`data-pending-hunks`) so the
 * n/p keys can bring one near.
 */
function Block({ rows, hunks, px, eager }: { rows: ReactNode[]; hunks: number[]; px: number; eager: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState(eager);
  // Pinned later (a comment box opened in it): rendered from then on, like a block seen once.
  if (eager && !shown) setShown(true);
  useEffect(() => {
    const el = ref.current;
    if (!el || shown) return;
    // The review's scroller (a margin on the viewport would not reach past its clip); elsewhere
    // (an edit in the transcript) the viewport.
    const root = el.closest<HTMLElement>('[data-testid="diff-scroll"]');
    const io = new IntersectionObserver(
      (entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        io.disconnect();
        startTransition(() => setShown(true));
      },
      { root, rootMargin: `${NEAR_PX}px 0px` },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [shown]);
  if (!shown) return <div ref={ref} data-rows-pending data-pending-hunks={hunks.length ? `${hunks[0]},${hunks[hunks.length - 1]}` : undefined} style={{ height: px }} />;
  return (
    <div ref={ref} style={{ contentVisibility: "auto", containIntrinsicSize: `auto ${px}px` }}>
      {rows}
    </div>
  );
}

function toItems(file: DiffFile, mode: DiffMode): Item[] {
  const items: Item[] = [];
  for (const h of file.hunks) {
    items.push({ kind: "hunk", header: h.header });
    if (mode === "split") for (const row of splitRows(h)) items.push({ kind: "pair", row });
    else for (const line of h.lines) items.push({ kind: "line", line });
  }
  return items;
}

function itemKeys(path: string, it: Item): string[] {
  if (it.kind === "line") return keysOfLine(path, it.line);
  if (it.kind !== "pair") return [];
  const { left, right } = it.row;
  if (left && left === right) return keysOfLine(path, left);
  return [...(left ? keysOfLine(path, left) : []), ...(right ? keysOfLine(path, right) : [])];
}

// Items found under any of the keys, once each (a thread lives under one key only, but both
// sides of a context line are looked at).
function gather<T>(keys: readonly string[], m: ReadonlyMap<string, readonly T[]>): readonly T[] {
  let out: readonly T[] = NONE;
  for (const k of keys) {
    const hit = m.get(k);
    if (hit) out = out.length === 0 ? hit : [...new Set([...out, ...hit])];
  }
  return out;
}

