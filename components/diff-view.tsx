"use client";
// The session's Diff tab: the review page's viewer (file list, highlighted lines, folding, unified
// or side by side), read-only. Refetched whenever a commit event arrives (`version` changes).
import Link from "next/link";
import { useCallback } from "react";
import type { DiffFile } from "../lib/protocol/review";
import { DiffList } from "./review/diff-list";
import { fileAnchorId } from "./review/diff-file-view";
import { DiffToolbar } from "./review/diff-toolbar";
import { FileTree } from "./review/file-tree";
import { DiffStatus } from "./review/diff-status";
import { useDiff, useDiffMode } from "./review/use-diff";
import { HighlightContext, useHighlighterLoader } from "./review/use-highlighter";

const NO_FILES: readonly DiffFile[] = [];
const noop = () => {};

export function DiffView({ sessionId, version }: { sessionId: string; version: number }) {
  const diff = useDiff(sessionId, undefined, undefined, version);
  const files = diff.kind === "ok" ? diff.data.files : NO_FILES;
  const [mode, setMode] = useDiffMode();
  const highlight = useHighlighterLoader();
  const scrollToFile = useCallback((i: number) => document.getElementById(fileAnchorId(i))?.scrollIntoView({ block: "start" }), []);

  return (
    <HighlightContext value={highlight}>
      <div data-testid="diff-view" className="flex h-full min-h-0">
        {files.length > 0 && (
          <aside aria-label="Changed files" className="hidden w-64 shrink-0 overflow-y-auto border-r border-line bg-panel md:block">
            <FileTree files={files} onSelect={scrollToFile} />
          </aside>
        )}
        <div className="min-w-0 flex-1">
          <DiffStatus diff={diff} />
          {diff.kind === "ok" && (
            <DiffList files={files} mode={mode}>
              <div className="mb-2 flex justify-end">
                <Link data-testid="diff-review-link" href={`/sessions/${encodeURIComponent(sessionId)}/review`} className="text-xs font-medium text-accent hover:underline">
                  Review these changes →
                </Link>
              </div>
              {/* The branch diff follows every commit (`version`), so it is never stale here. */}
              <DiffToolbar diff={diff.data} mode={mode} onMode={setMode} stale={false} onReload={noop} />
              {files.length > 0 && (
                // On a phone the file list folds above the diff instead of taking a column.
                <details className="mb-3 rounded-md border border-line bg-panel md:hidden">
                  <summary className="cursor-pointer px-3 py-2 text-xs font-medium">Files ({files.length})</summary>
                  <FileTree files={files} onSelect={scrollToFile} />
                </details>
              )}
              {files.length === 0 && (
                <p data-testid="diff-empty" className="text-sm text-muted">
                  No changes on the session branch yet.
                </p>
              )}
            </DiffList>
          )}
        </div>
      </div>
    </HighlightContext>
  );
}
