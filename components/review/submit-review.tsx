"use client";
// Finishing a review: a summary, a verdict, and every pending comment, sent as one review.
// "Request changes" makes the server hand the unresolved comments to the agent.
import { useState, type FormEvent } from "react";
import type { CreateReviewInput } from "../../lib/protocol/review";
import { submitReview } from "./lib/review-api";
import type { Draft } from "./use-drafts";

type Verdict = CreateReviewInput["verdict"];

interface Props {
  sessionId: string;
  drafts: readonly Draft[];
  canReview: boolean;
  reviewBlocked: string | null;
  onSubmitted(): void;
}

export function SubmitReview({ sessionId, drafts, canReview, reviewBlocked, onSubmitted }: Props) {
  const [body, setBody] = useState("");
  const [verdict, setVerdict] = useState<Verdict>("comment");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    const comments = drafts.map((d) => ({ path: d.path, line: d.line, side: d.side, body: d.body }));
    const res = await submitReview(sessionId, { verdict, body: body.trim() || undefined, comments });
    setBusy(false);
    if (!res.ok) return setError(res.message);
    setBody("");
    setDone(verdict === "request_changes" ? "Review sent; the agent has your comments." : "Review sent.");
    onSubmitted();
  }

  return (
    <form onSubmit={submit} data-testid="review-panel" className="space-y-2 px-3 pb-3 text-sm">
      <textarea
        data-testid="review-body"
        aria-label="Review summary"
        rows={3}
        value={body}
        disabled={!canReview}
        onChange={(e) => setBody(e.target.value)}
        placeholder={canReview ? "Summary (optional)" : (reviewBlocked ?? "")}
        className="w-full resize-y rounded-md border border-line bg-canvas px-2 py-1.5 text-sm outline-none focus:border-accent focus:ring-1 focus:ring-accent disabled:opacity-60"
      />
      <div className="flex items-center gap-2">
        <label htmlFor="review-verdict" className="sr-only">Verdict</label>
        <select id="review-verdict" data-testid="review-verdict" value={verdict} disabled={!canReview} onChange={(e) => setVerdict(e.target.value as Verdict)} className="min-w-0 flex-1 rounded-md border border-line bg-canvas px-1.5 py-1 text-sm disabled:opacity-60">
          <option value="comment">Comment</option>
          <option value="request_changes">Request changes</option>
          <option value="approve">Approve</option>
        </select>
        <button type="submit" data-testid="review-submit" disabled={!canReview || busy} title={reviewBlocked ?? undefined} className="rounded-md bg-accent px-3 py-1 text-sm font-medium text-white disabled:opacity-50">
          {busy ? "Sending…" : "Submit review"}
        </button>
      </div>
      <p data-testid="review-pending-count" className="text-xs text-muted">
        {drafts.length === 0 ? (canReview ? "No pending comments. Click a line's + to add one." : "") : `${drafts.length} pending ${drafts.length === 1 ? "comment" : "comments"} will be sent.`}
      </p>
      {error && <p role="alert" data-testid="review-error" className="text-red-700 dark:text-red-400">{error}</p>}
      {done && <p role="status" data-testid="review-submitted" className="text-emerald-800 dark:text-emerald-300">{done}</p>}
    </form>
  );
}
