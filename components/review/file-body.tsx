"use client";
// The lines of one file, with threads, pending comments and the comment box under their lines.
// Long files render in slices over several frames so no single task builds thousands of rows.
// Without review props (the session's Diff tab, an edit in the transcript) it is read-only.
import { startTransition, useEffect, useMemo, useState, type MouseEvent } from "react";
import type { DiffFile, ThreadDto } from "../../lib/protocol/review";
import { HunkHeader, SplitPairRow, UnifiedRow } from "./diff-rows";
import { LineExtras, type LineActions } from "./line-extras";
import { keysOfLine, lineKey, type LineRef } from "./lib/line-keys";
import { splitRows, type SplitRow } from "./lib/split-rows";
import type { Draft } from "./use-drafts";

export type DiffMode = "unified" | "split";

type Item = { kind: "hunk"; header: string } | { kind: "line"; line: DiffFile["hunks"][number]["lines"][number] } | { kind: "pair"; row: SplitRow };

const SLICE = 500;
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
  const shown = useSlices(items.length);
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
  const out = [];
  for (let i = 0; i < shown; i++) {
    const it = items[i];
    if (it.kind === "hunk") {
      out.push(<HunkHeader key={i} header={it.header} />);
      continue;
    }
    out.push(
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
    if (ts.length || ds.length || boxHere) out.push(<LineExtras key={`x${i}`} threads={ts} drafts={ds} open={boxHere} actions={actions} />);
  }
  return (
    <div data-file-body onClick={onClick} className="overflow-hidden font-mono text-xs leading-5">
      {out}
      {shown < items.length && <p className="px-3 py-1 text-muted">Rendering…</p>}
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

/** How many items to render: a first slice now, the rest a slice per frame, as a transition. */
function useSlices(total: number): number {
  const [count, setCount] = useState(() => Math.min(total, SLICE));
  useEffect(() => {
    if (count >= total) return;
    const id = requestAnimationFrame(() => startTransition(() => setCount((c) => Math.min(total, c + SLICE))));
    return () => cancelAnimationFrame(id);
  }, [count, total]);
  return Math.min(Math.max(count, Math.min(total, SLICE)), total);
}
