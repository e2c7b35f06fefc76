"use client";
// The review page: loads the session and the caller's role, then shows the review workspace.
import { SessionNotFound } from "../session-not-found";
import { ReviewWorkspace } from "./review-workspace";
import { useReviewData } from "./use-review-data";

export function ReviewView({ id }: { id: string }) {
  const { load, data } = useReviewData(id);
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
