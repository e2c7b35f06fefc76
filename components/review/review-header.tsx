"use client";
// The review page's header: which branch goes where, the review state, what merging would do now,
// and the ways out of the review (merge, push, patch).
import Link from "next/link";
import type { SessionDto } from "../../lib/protocol/api";
import type { ReviewSummary } from "../../lib/protocol/review";
import { repoLabel, shortSha } from "../lib/format";
import type { ReviewPermissions } from "./lib/permissions";
import { MergeControls } from "./merge-controls";
import { MergeabilityLine } from "./mergeability-line";
import { ReviewStateBadge } from "./review-state-badge";
import { useMergeability } from "./use-review-data";

interface Props {
  session: SessionDto;
  summary: ReviewSummary | null;
  perms: ReviewPermissions;
  /** Why merging is off right now (permissions, or the review state not known yet). */
  mergeBlocked: string | null;
  onChanged(): void;
}

export function ReviewHeader({ session, summary, perms, mergeBlocked, onChanged }: Props) {
  const baseBranch = summary?.baseBranch ?? session.baseBranch;
  // The summary is reloaded after every review, reset, rebase request and merge: so is this.
  const mergeability = useMergeability(session.id, summary);
  return (
    <div className="shrink-0 border-b border-line bg-panel px-4 py-3">
      <div className="flex flex-wrap items-start gap-x-6 gap-y-2">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-3">
            <Link href={`/sessions/${encodeURIComponent(session.id)}`} data-testid="back-to-session" className="text-sm text-accent hover:underline">
              ← Session
            </Link>
            <h1 className="text-base font-semibold" title={session.repo} data-testid="review-repo">
              {repoLabel(session.repo)}
            </h1>
            {summary && <ReviewStateBadge state={summary.state} />}
          </div>
          <p className="mt-0.5 flex flex-wrap items-center gap-2 font-mono text-xs text-muted" data-testid="review-branches">
            <span>
              {baseBranch} ← {session.branch}
            </span>
            {summary?.protected && <span className="rounded bg-zinc-500/15 px-1.5 py-0.5 font-sans">protected</span>}
            {summary?.mergedCommit && <span className="font-sans">merged as {shortSha(summary.mergedCommit)}</span>}
          </p>
          <MergeabilityLine sessionId={session.id} baseBranch={baseBranch} mergeability={mergeability.state} canReview={perms.canReview} onRebaseAsked={onChanged} />
        </div>
        <div className="min-w-0 sm:ml-auto">
          <MergeControls
            sessionId={session.id}
            baseBranch={baseBranch}
            branch={session.branch}
            canReview={perms.canReview}
            mergeBlocked={mergeBlocked}
            mergeability={mergeability.state}
            onChanged={onChanged}
          />
        </div>
      </div>
    </div>
  );
}
