"use client";
// Retry after "needs attention" (POST /api/sessions/:id/retry): the agent continues where it
// stopped, or the sandbox starts again after a failure. A refusal (a budget still reached) is shown.
import { useState } from "react";
import type { AttentionKind } from "../../lib/events/status";
import { RETRYABLE } from "../../lib/sessions/attention";
import { apiJson } from "../lib/api";

const HINT: Partial<Record<AttentionKind, string>> = {
  failed: "Start the sandbox again and let the agent continue",
  model_error: "Ask the model again: the agent continues where it stopped",
  budget: "After raising the budget: the agent continues where it stopped",
};

export function RetryButton({ sessionId, kind }: { sessionId: string; kind: AttentionKind }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!RETRYABLE.includes(kind)) return null;

  async function retry() {
    setBusy(true);
    setError(null);
    const res = await apiJson(`/api/sessions/${encodeURIComponent(sessionId)}/retry`, null, { method: "POST" });
    setBusy(false);
    if (!res.ok) setError(res.message);
  }

  return (
    <>
      <button type="button" data-testid="retry-button" onClick={retry} disabled={busy} title={HINT[kind]}
        className="rounded-md border border-line bg-canvas px-3 py-1.5 text-sm font-medium hover:bg-accent/10 disabled:opacity-50">
        {busy ? "Retrying…" : "Retry"}
      </button>
      {error && (
        <span role="alert" data-testid="retry-error" className="min-w-0 break-words text-red-700 dark:text-red-400">
          {error}
        </span>
      )}
    </>
  );
}
