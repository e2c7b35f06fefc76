"use client";
// Threads whose line isn't in the diff being shown (another range, or the code moved on since):
// listed with the code they were about, still open to replies and resolving.
import { memo } from "react";
import type { ThreadDto } from "../../lib/protocol/review";
import { ThreadView } from "./thread-view";

interface Props {
  threads: readonly ThreadDto[];
  sessionId: string;
  canReview: boolean;
  onChanged(): void;
}

export const OutdatedThreads = memo(function OutdatedThreads({ threads, sessionId, canReview, onChanged }: Props) {
  if (threads.length === 0) return null;
  const open = threads.filter((t) => !t.resolved).length;
  return (
    <details data-testid="outdated-threads" open={open > 0} className="mb-3 rounded-md border border-line bg-panel">
      <summary className="cursor-pointer px-3 py-2 text-xs font-medium">
        {threads.length} {threads.length === 1 ? "comment thread" : "comment threads"} on code not in this diff ({open} unresolved)
      </summary>
      <div className="space-y-2 border-t border-line p-3">
        {threads.map((t) => (
          <ThreadView key={t.id} thread={t} sessionId={sessionId} canReview={canReview} onChanged={onChanged} showContext />
        ))}
      </div>
    </details>
  );
});
