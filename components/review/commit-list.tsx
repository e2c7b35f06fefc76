"use client";
// The session's checkpoints and the range the diff shows: all changes, changes since my last
// review, one checkpoint (click), several (shift-click), or any two points (the selects).
import { useRef, useState } from "react";
import { shortSha } from "../lib/format";
import { CommitActions, type CommitAction } from "./commit-actions";
import { diffQuery, inRange, points, singleCommit, spanCommits, type RangeContext, type RangeSel } from "./lib/range";
import type { CommitList as CommitListDto } from "./lib/review-api";

interface Props {
  sessionId: string;
  list: CommitListDto;
  range: RangeSel;
  onRange(sel: RangeSel): void;
  lastReviewed: string | null;
  canReview: boolean;
  /** The branch moved (reset): reload everything. */
  onBranchChanged(): void;
}

export function CommitList({ sessionId, list, range, onRange, lastReviewed, canReview, onBranchChanged }: Props) {
  const [action, setAction] = useState<{ sha: string; kind: CommitAction } | null>(null);
  const anchor = useRef<string | null>(null);
  const { commits, baseCommit: base } = list;
  const ctx: RangeContext = { base, head: list.headCommit, lastReviewed };
  const toggle = (on: boolean) => `rounded-md border px-2 py-0.5 text-xs disabled:opacity-50 ${on ? "border-accent bg-accent/10 text-accent" : "border-line hover:border-accent"}`;

  if (!base) return <p className="px-3 py-2 text-xs text-muted">No checkpoints yet.</p>;
  const all = points(base, commits);
  const dq = diffQuery(range, ctx);
  const q = { from: dq.from ?? base, to: dq.to ?? list.headCommit ?? base };
  const label = (sha: string) => (sha === base ? `base ${shortSha(sha)}` : `${shortSha(sha)} ${commits.find((c) => c.sha === sha)?.subject ?? ""}`.slice(0, 60));

  const pick = (sha: string, shift: boolean) => {
    const sel = shift && anchor.current ? spanCommits(base, commits, anchor.current, sha) : singleCommit(base, commits, sha);
    if (!shift) anchor.current = sha;
    if (sel) onRange(sel);
  };

  return (
    <div className="text-xs">
      <div className="flex flex-wrap gap-1.5 px-3 pb-2">
        <button type="button" data-testid="all-changes" aria-pressed={range.kind === "all"} onClick={() => onRange({ kind: "all" })} className={toggle(range.kind === "all")}>
          All changes
        </button>
        <button
          type="button"
          data-testid="since-last-review"
          aria-pressed={range.kind === "since"}
          disabled={!lastReviewed}
          title={lastReviewed ? `Changes since ${shortSha(lastReviewed)}, the head you last reviewed` : "You haven't reviewed this session yet."}
          onClick={() => onRange({ kind: "since" })}
          className={toggle(range.kind === "since")}
        >
          Changes since my last review
        </button>
      </div>
      <div className="grid grid-cols-[auto_1fr] items-center gap-x-2 gap-y-1 px-3 pb-2">
        <label htmlFor="range-from" className="text-muted">From</label>
        <select id="range-from" data-testid="range-from" value={all.includes(q.from) ? q.from : base} onChange={(e) => onRange({ kind: "custom", from: e.target.value, to: q.to })} className="min-w-0 rounded border border-line bg-canvas px-1 py-0.5 font-mono">
          {all.map((sha) => <option key={sha} value={sha}>{label(sha)}</option>)}
        </select>
        <label htmlFor="range-to" className="text-muted">To</label>
        <select id="range-to" data-testid="range-to" value={q.to} onChange={(e) => onRange({ kind: "custom", from: q.from, to: e.target.value })} className="min-w-0 rounded border border-line bg-canvas px-1 py-0.5 font-mono">
          {all.slice(1).map((sha) => <option key={sha} value={sha}>{label(sha)}</option>)}
        </select>
      </div>
      <ol data-testid="commit-list" className="border-t border-line">
        {commits.length === 0 && <li className="px-3 py-2 text-muted">No checkpoints yet.</li>}
        {commits.map((c, i) => {
          const selected = inRange(range, ctx, commits, c.sha);
          return (
            <li key={c.sha} data-testid="commit-row" data-sha={c.sha} data-selected={selected} className={`border-b border-line px-3 py-1.5 ${selected ? "bg-accent/5" : ""}`}>
              <button type="button" data-testid="commit-select" onClick={(e) => pick(c.sha, e.shiftKey)} title="Show this checkpoint's changes (shift-click to extend)" className="block w-full text-left">
                <span className="font-mono text-muted">{shortSha(c.sha)}</span> <span className="break-words">{c.subject || "(no message)"}</span>
                <span className="ml-1 font-mono text-[11px]">
                  <span className="text-emerald-800 dark:text-emerald-400">+{c.additions}</span> <span className="text-red-700 dark:text-red-400">−{c.deletions}</span>
                </span>
              </button>
              <CommitActions
                sessionId={sessionId}
                sha={c.sha}
                isHead={i === commits.length - 1}
                canReview={canReview}
                open={action?.sha === c.sha ? action.kind : null}
                onOpen={(kind) => setAction(kind ? { sha: c.sha, kind } : null)}
                onReset={onBranchChanged}
              />
            </li>
          );
        })}
      </ol>
    </div>
  );
}
