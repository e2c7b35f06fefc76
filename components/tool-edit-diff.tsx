"use client";
// A file edit in the transcript, drawn with the review viewer's rows (highlighted when the
// highlighter has loaded: TranscriptView provides it), read-only.
import { memo, useMemo } from "react";
import type { EditDiff } from "./lib/edit-diff";
import { FileBody } from "./review/file-body";
import { languageFor } from "./review/lib/language";

export const ToolEditDiff = memo(function ToolEditDiff({ diff }: { diff: EditDiff }) {
  const lang = useMemo(() => languageFor(diff.file.path), [diff.file.path]);
  return (
    <div data-testid="tool-edit-diff" className="max-h-96 overflow-auto border-t border-line">
      <FileBody file={diff.file} mode="unified" lang={lang} />
      {diff.hidden > 0 && (
        <p className="border-t border-line px-3 py-1 text-xs text-muted">
          {diff.hidden.toLocaleString("en-US")} more {diff.hidden === 1 ? "line" : "lines"} not shown here; the Diff tab has the whole change.
        </p>
      )}
    </div>
  );
});

/** "+3 −1" for the call's header. */
export function EditCounts({ diff }: { diff: EditDiff }) {
  return (
    <span data-testid="tool-edit-counts" className="shrink-0 font-mono">
      <span className="text-emerald-800 dark:text-emerald-400">+{diff.file.additions}</span>{" "}
      <span className="text-red-700 dark:text-red-400">−{diff.file.deletions}</span>
    </span>
  );
}
