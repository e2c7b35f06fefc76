// What the diff area shows until the diff is there: loading, or the error. Shared by the review
// page and the session's Diff tab.
import type { Loaded } from "./use-review-data";

export function DiffStatus({ diff }: { diff: Loaded<unknown> }) {
  if (diff.kind === "loading") return <p className="p-4 text-sm text-muted">Loading diff…</p>;
  if (diff.kind === "error")
    return (
      <p role="alert" data-testid="diff-error" className="p-4 text-sm text-red-700 dark:text-red-400">
        {diff.message}
      </p>
    );
  return null;
}
