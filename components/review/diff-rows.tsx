"use client";
// One rendered diff line (unified) or line pair (side by side). Rows are memoized and hold no
// callbacks: clicks reach the file body through `data-comment-at` (event delegation), so
// thousands of rows cost no closures. Every text is a React text node: never parsed as HTML.
import { memo } from "react";
import type { DiffLine } from "../../lib/protocol/review";
import { defaultRef, type Side } from "./lib/line-keys";
import type { SplitRow } from "./lib/split-rows";
import { useHighlight } from "./use-highlighter";

const BG = { add: "bg-emerald-500/10", del: "bg-red-500/10", context: "" } as const;
const MARK = { add: "+", del: "−", context: "" } as const;
// Narrower line numbers on a phone leave the code most of the width.
const NUM = "w-8 shrink-0 cursor-pointer select-none pr-1.5 text-right text-muted hover:text-accent md:w-12 md:pr-2";
// The +/− marker is a pseudo-element: two fewer DOM nodes per line, and it stays out of copies.
const CODE = "min-w-0 flex-1 whitespace-pre-wrap pr-3 [tab-size:4] wrap-anywhere before:inline-block before:w-4 before:select-none before:text-muted before:content-[attr(data-mark)]";

export const HunkHeader = memo(function HunkHeader({ index, header }: { index: number; header: string }) {
  return (
    // `data-current` is set by the review's n/p keys (review-workspace), outside React.
    <div data-testid="diff-hunk" data-hunk={index} className="scroll-mt-12 truncate bg-sky-500/5 px-3 py-0.5 text-sky-700 data-current:ring-2 data-current:ring-inset data-current:ring-accent dark:text-sky-300">
      {header}
    </div>
  );
});

export const UnifiedRow = memo(function UnifiedRow({ path, line, lang, canReview }: { path: string; line: DiffLine; lang: string | null; canReview: boolean }) {
  const ref = defaultRef(path, line);
  return (
    <div data-testid="diff-line" data-type={line.type} className={`group flex min-h-5 ${BG[line.type]}`}>
      <LineNo side="old" line={line.oldLine} />
      <LineNo side="new" line={line.newLine} />
      {ref ? <CommentButton side={ref.side} line={ref.line} canReview={canReview} /> : <span className="w-5 shrink-0" />}
      <Code lang={lang} text={line.text} mark={MARK[line.type]} />
    </div>
  );
});

export const SplitPairRow = memo(function SplitPairRow({ row, lang, canReview }: { row: SplitRow; lang: string | null; canReview: boolean }) {
  return (
    <div data-testid="diff-row" className="grid min-h-5 grid-cols-2">
      <Half line={row.left} side="old" lang={lang} canReview={canReview} />
      <Half line={row.right} side="new" lang={lang} canReview={canReview} />
    </div>
  );
});

function Half({ line, side, lang, canReview }: { line: DiffLine | null; side: Side; lang: string | null; canReview: boolean }) {
  const n = line ? (side === "old" ? line.oldLine : line.newLine) : null;
  if (!line || n === null) return <div className={`bg-sunken/60 ${side === "old" ? "border-r border-line" : ""}`} />;
  return (
    <div data-testid="diff-line" data-type={line.type} data-half={side} className={`group flex min-w-0 ${BG[line.type]} ${side === "old" ? "border-r border-line" : ""}`}>
      <LineNo side={side} line={n} />
      <CommentButton side={side} line={n} canReview={canReview} />
      <Code lang={lang} text={line.text} mark={MARK[line.type]} />
    </div>
  );
}

function LineNo({ side, line }: { side: Side; line: number | null }) {
  if (line === null) return <span className={NUM} />;
  return (
    <span className={NUM} data-comment-at={`${side}:${line}`} data-line-number={side}>
      {line}
    </span>
  );
}

function CommentButton({ side, line, canReview }: { side: Side; line: number; canReview: boolean }) {
  return (
    <button
      type="button"
      data-testid="line-comment-button"
      data-line={line}
      data-side={side}
      data-comment-at={`${side}:${line}`}
      disabled={!canReview}
      aria-label={`Comment on ${side} line ${line}`}
      // No hover on a touch screen: there the "+" is always shown, as a button (not a diff mark).
      className="size-5 shrink-0 self-start select-none rounded text-center font-bold leading-5 text-accent opacity-0 group-hover:opacity-100 focus:opacity-100 disabled:invisible pointer-coarse:bg-accent/10 pointer-coarse:opacity-100"
    >
      +
    </button>
  );
}

function Code({ lang, text, mark }: { lang: string | null; text: string; mark: string }) {
  const highlight = useHighlight();
  return (
    <code data-mark={mark} className={CODE}>
      {highlight ? highlight(lang, text) : text}
    </code>
  );
}
