"use client";
// The review page: loads the session and the caller's role, then shows the review workspace.
import Link from "next/link";
import { ReviewWorkspace } from "./review-workspace";
import { useReviewData } from "./use-review-data";

export function ReviewView({ id }: { id: string }) {
  const { load, data } = useReviewData(id);
  if (load.kind === "loading") return <p className="p-6 text-sm text-muted">Loading review…</p>;
  if (load.kind === "missing") {
    return (
      <div data-testid="session-not-found" className="p-6">
        <h1 className="text-base font-semibold">Session not found</h1>
        <p className="mt-1 text-sm text-muted">
          There is no session <code className="font-mono">{id}</code>.{" "}
          <Link href="/" className="text-accent hover:underline">
            Back to sessions
          </Link>
        </p>
      </div>
    );
  }
  if (load.kind === "error" || !data) {
    return (
      <p role="alert" data-testid="review-load-error" className="p-6 text-sm text-red-600 dark:text-red-400">
        {load.kind === "error" ? load.message : "The review could not be loaded."}
      </p>
    );
  }
  return <ReviewWorkspace data={data} />;
}
