"use client";
// The loaded review: header, a sidebar (submit, checkpoints, files) and the diff column. Holds
// the state the parts share: the range, the layout, pending comments and the open comment box.
import { useCallback, useEffect, useMemo, useState, type ReactNode } from "react";
import type { DiffFile } from "../../lib/protocol/review";
import { useShortcuts } from "../lib/shortcuts";
import { DiffList } from "./diff-list";
import { fileAnchorId } from "./diff-file-view";
import { DiffToolbar } from "./diff-toolbar";
import { FileSelect, FileTree } from "./file-tree";
import type { LineActions } from "./line-extras";
import { groupByPath, placeThreads, type LineRef } from "./lib/line-keys";
import { reviewPermissions } from "./lib/permissions";
import { commentTarget, stepFile, stepHunk, type Cursor } from "./lib/review-cursor";
import { diffQuery, type RangeSel } from "./lib/range";
import { CommitList } from "./commit-list";
import { OutdatedThreads } from "./outdated-threads";
import { ReviewHeader } from "./review-header";
import { SubmitReview } from "./submit-review";
import { DiffStatus } from "./diff-status";
import { demandHunks, diffSource, useDiff, useDiffMode } from "./use-diff";
import { useDrafts } from "./use-drafts";
import { HighlightContext, useHighlighterLoader } from "./use-highlighter";
import type { ReviewData } from "./use-review-data";

const NO_FILES: readonly DiffFile[] = [];

export function ReviewWorkspace({ data }: { data: ReviewData }) {
  const { session, role, reloadSummary, reloadCommits } = data;
  const summary = data.summary.kind === "ok" ? data.summary.data : null;
  const list = data.commits.kind === "ok" ? data.commits.data : null;
  const perms = reviewPermissions(role, summary?.protected ?? false, summary?.baseBranch ?? session.baseBranch, summary?.state === "merged");
  const { canReview } = perms;
  // Whether the base is protected comes with the summary: no merge button until it is known.
  const mergeBlocked = summary ? perms.mergeBlocked : data.summary.kind === "error" ? "The review state is unavailable." : "Loading the review…";

  const [range, setRange] = useState<RangeSel>({ kind: "all" });
  const [version, setVersion] = useState(0);
  const head = list?.headCommit ?? session.headCommit;
  const q = diffQuery(range, { base: list?.baseCommit ?? session.baseCommit, head, lastReviewed: summary?.myLastReviewedCommit ?? null });
  const diff = useDiff(session.id, q.from, q.to, version, data.initialDiff);
  const files = diff.kind === "ok" ? diff.data.files : NO_FILES;
  const [mode, setMode] = useDiffMode();
  const highlight = useHighlighterLoader();

  const { drafts, add, remove, clear } = useDrafts(session.id);
  const [open, setOpen] = useState<LineRef | null>(null);
  const [panelOpen, setPanelOpen] = useState(false);
  const placement = useMemo(() => placeThreads(files, summary?.threads ?? []), [files, summary]);
  const draftsByFile = useMemo(() => groupByPath(drafts), [drafts]);
  // Files with threads load first, so every thread finds its line (or shows as outdated).
  useEffect(() => {
    const paths = new Set(summary?.threads.map((t) => t.path));
    for (const f of files) if (f.deferred && paths.has(f.path)) demandHunks(f);
  }, [files, summary]);
  const threadChanged = useCallback(() => void reloadSummary(), [reloadSummary]);
  const actions = useMemo<LineActions>(
    () => ({
      sessionId: session.id,
      canReview,
      openComment: setOpen,
      cancelComment: () => setOpen(null),
      addDraft: (ref, body) => {
        add(ref, body);
        setOpen(null);
      },
      removeDraft: remove,
      threadChanged,
    }),
    [session.id, canReview, add, remove, threadChanged],
  );

  const reloadAll = useCallback(() => {
    void reloadSummary();
    void reloadCommits();
    setVersion((v) => v + 1);
  }, [reloadSummary, reloadCommits]);
  const onSubmitted = useCallback(() => {
    clear();
    setOpen(null);
    reloadAll();
  }, [clear, reloadAll]);
  const onBranchChanged = useCallback(() => {
    setRange({ kind: "all" });
    reloadAll();
  }, [reloadAll]);
  // The keyboard's place: a file and maybe a hunk, for this diff only (another range starts over).
  // (One diff: its pages arriving keep the place.)
  const source = diffSource(files);
  const [cursor, setCursor] = useState<{ source: object; at: Cursor } | null>(null);
  const at = cursor?.source === source ? cursor.at : null;
  const go = (next: Cursor | null) => next && setCursor({ source, at: next });
  useEffect(() => {
    if (!at) return;
    // The list renders only files near the screen: go to the file's anchor first; the file (kept
    // rendered as the keyboard's) and its hunk are there a frame or two later.
    document.getElementById(fileAnchorId(at.file))?.scrollIntoView({ block: "start" });
    if (at.hunk === null) return;
    let frames = 0;
    let id = 0;
    const mark = () => {
      const section = document.querySelector(`[data-testid="diff-file"][data-index="${at.file}"]`);
      const hunk = section?.querySelector<HTMLElement>(`[data-testid="diff-hunk"][data-hunk="${at.hunk}"]`);
      if (!hunk) {
        // Its rows are not in the page yet (file-body renders blocks near the view): bring its
        // block near, and look again.
        const pending = [...(section?.querySelectorAll<HTMLElement>("[data-pending-hunks]") ?? [])].find((b) => {
          const [first, last] = (b.dataset.pendingHunks ?? "").split(",").map(Number);
          return at.hunk! >= first && at.hunk! <= last;
        });
        pending?.scrollIntoView({ block: "center" });
        if (++frames < 60) id = requestAnimationFrame(mark);
        return;
      }
      for (const el of document.querySelectorAll('[data-testid="diff-hunk"][data-current]')) el.removeAttribute("data-current");
      hunk.setAttribute("data-current", "");
      hunk.scrollIntoView({ block: "center" });
    };
    mark();
    return () => cancelAnimationFrame(id);
  }, [at]);
  useShortcuts("review", {
    j: { description: "Next file", run: () => go(stepFile(files, at, 1)) },
    k: { description: "Previous file", run: () => go(stepFile(files, at, -1)) },
    n: { description: "Next change (hunk)", run: () => go(stepHunk(files, at, 1)) },
    p: { description: "Previous change (hunk)", run: () => go(stepHunk(files, at, -1)) },
    ...(canReview && {
      c: {
        description: "Comment on the current change (or the focused line)",
        run: () => {
          // A line's "+" button that has the focus says which line; else the current hunk.
          const focused = document.activeElement?.closest<HTMLButtonElement>('[data-testid="line-comment-button"]');
          if (focused && !focused.disabled) focused.click();
          else setOpen(commentTarget(files, at));
        },
      },
      "mod+Enter": { description: "Add the comment to the review (in the comment box)" },
    }),
  });
  const scrollToFile = useCallback(
    (i: number) => {
      document.getElementById(fileAnchorId(i))?.scrollIntoView({ block: "start" });
      setCursor({ source, at: { file: i, hunk: null } });
    },
    [source],
  );
  // Only an open-ended range follows the head; a picked range means what it says.
  const listHead = list?.headCommit ?? null;
  const stale = diff.kind === "ok" && range.kind !== "custom" && listHead !== null && diff.data.to !== "" && !listHead.startsWith(diff.data.to) && !diff.data.to.startsWith(listHead);

  return (
    <HighlightContext value={highlight}>
      <div className="flex h-full min-h-0 flex-col">
        <ReviewHeader session={session} summary={summary} perms={perms} mergeBlocked={mergeBlocked} onChanged={reloadAll} />
        {data.summary.kind === "error" && (
          <p role="alert" data-testid="summary-error" className="shrink-0 bg-red-500/10 px-4 py-2 text-sm text-red-700 dark:text-red-300">
            Review state unavailable: {data.summary.message}
          </p>
        )}
        {/* Below md the panes stack: a bar with the file picker and a drawer for the sidebar,
            then the diff at the full width. */}
        <div className="flex min-h-0 flex-1 flex-col md:flex-row">
          <div className="flex shrink-0 items-center gap-2 border-b border-line bg-panel px-3 py-2 md:hidden">
            <button
              type="button"
              data-testid="review-panel-toggle"
              aria-expanded={panelOpen}
              aria-controls="review-sidebar"
              onClick={() => setPanelOpen((o) => !o)}
              className="shrink-0 rounded-md border border-line px-2.5 py-1.5 text-sm"
            >
              {panelOpen ? "Hide review" : drafts.length > 0 ? `Review (${drafts.length} pending)` : "Review"}
            </button>
            <FileSelect files={files} onSelect={scrollToFile} />
          </div>
          <aside
            id="review-sidebar"
            className={`${panelOpen ? "block" : "hidden"} max-h-[60%] shrink-0 overflow-y-auto border-b border-line bg-panel md:block md:max-h-none md:w-80 md:border-r md:border-b-0`}
          >
            <Panel title="Your review">
              <SubmitReview sessionId={session.id} drafts={drafts} canReview={canReview} reviewBlocked={perms.reviewBlocked} onSubmitted={onSubmitted} />
            </Panel>
            <Panel title="Checkpoints">
              {data.commits.kind === "ok" && list ? (
                <CommitList sessionId={session.id} list={list} range={range} onRange={setRange} lastReviewed={summary?.myLastReviewedCommit ?? null} canReview={canReview} onBranchChanged={onBranchChanged} />
              ) : data.commits.kind === "error" ? (
                <p role="alert" data-testid="commits-error" className="px-3 pb-2 text-xs text-red-700 dark:text-red-400">{data.commits.message}</p>
              ) : (
                <p className="px-3 pb-2 text-xs text-muted">Loading checkpoints…</p>
              )}
            </Panel>
            <Panel title={`Files${diff.kind === "ok" ? ` (${files.length})` : ""}`} wide>
              <FileTree files={files} onSelect={scrollToFile} />
            </Panel>
          </aside>
          <div className="min-h-0 min-w-0 flex-1">
            <DiffStatus diff={diff} />
            {diff.kind === "ok" && (
              <DiffList files={files} mode={mode} current={at?.file ?? null} threads={placement.inline} drafts={draftsByFile} open={open} actions={actions}>
                <DiffToolbar diff={diff.data} mode={mode} onMode={setMode} stale={stale} onReload={reloadAll} />
                <OutdatedThreads threads={placement.outdated} sessionId={session.id} canReview={canReview} onChanged={threadChanged} />
                {files.length === 0 && <p data-testid="diff-empty" className="text-sm text-muted">No changes in this range.</p>}
              </DiffList>
            )}
          </div>
        </div>
      </div>
    </HighlightContext>
  );
}

/** `wide`: only beside the diff (a phone picks files from the bar's select instead). */
function Panel({ title, wide = false, children }: { title: string; wide?: boolean; children: ReactNode }) {
  return (
    <section className={`border-b border-line ${wide ? "hidden md:block" : ""}`}>
      <h2 className="px-3 pb-1.5 pt-3 text-xs font-semibold uppercase tracking-wide text-muted">{title}</h2>
      {children}
    </section>
  );
}
