import type { ReviewState } from "../../lib/protocol/review";

// Amber waits on a reviewer, red on the agent, green on a merge, violet is done.
const STYLE: Record<ReviewState, string> = {
  needs_review: "bg-amber-500/15 text-amber-800 dark:text-amber-300",
  changes_requested: "bg-red-500/15 text-red-700 dark:text-red-300",
  approved: "bg-emerald-500/15 text-emerald-800 dark:text-emerald-300",
  merged: "bg-violet-500/15 text-violet-700 dark:text-violet-300",
};
const LABEL: Record<ReviewState, string> = { needs_review: "needs review", changes_requested: "changes requested", approved: "approved", merged: "merged" };

export function ReviewStateBadge({ state }: { state: ReviewState }) {
  return (
    <span data-testid="review-state" data-state={state} className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ${STYLE[state]}`}>
      {LABEL[state]}
    </span>
  );
}

/** A review state means something once the agent has committed (or the branch was merged). */
export function hasWork(s: { headCommit: string | null; baseCommit: string | null; reviewState: ReviewState }): boolean {
  return s.reviewState === "merged" || (!!s.headCommit && s.headCommit !== s.baseCommit);
}
