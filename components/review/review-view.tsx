"use client";
// The review page: loads the session and the caller's role, then shows the review workspace.
// `initial`: what the page's server render read (the session, the diff's index), or null.
import type { InitialReview } from "../../lib/protocol/review";
import { SessionNotFound } from "../session-not-found";
import { ReviewWorkspace } from "./review-workspace";
import { useReviewData } from "./use-review-data";

export function ReviewView({ id, initial = null }: { id: string; initial?: InitialReview | null }) {
  const { load, data } = useReviewData(id, initial);
  if (load.kind === "loading") return <p className="p-6 text-sm text-muted">Loading review…</p>;
  if (load.kind === "missing") return <SessionNotFound id={id} />;
  if (load.kind === "error" || !data) {
    return (
      <p role="alert" data-testid="review-load-error" className="p-6 text-sm text-red-700 dark:text-red-400">
        {load.kind === "error" ? load.message : "The review could not be loaded."}
      </p>
    );
  }
  return <ReviewWorkspace data={data} />;
}
