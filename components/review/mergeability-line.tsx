"use client";
// The review header's one line about merging: "main moved 2 commits; conflicts in README.md",
// with "Ask the agent to rebase" right beside it when the base moved, and what a merge would have
// to override. Computed by the server before anyone clicks Merge.
import { useState } from "react";
import type { Mergeability } from "../../lib/protocol/review";
import { askRebase } from "./lib/review-api";
import type { Loaded } from "./use-review-data";

interface Props {
  sessionId: string;
  baseBranch: string;
  mergeability: Loaded<Mergeability>;
  canReview: boolean;
  onRebaseAsked(): void;
}

export function MergeabilityLine({ sessionId, baseBranch, mergeability, canReview, onRebaseAsked }: Props) {
  const [rebase, setRebase] = useState<{ kind: "idle" | "asking" | "asked" } | { kind: "error"; message: string }>({ kind: "idle" });
  if (mergeability.kind === "loading") return <p className="mt-1 text-xs text-muted">Checking what merging would do…</p>;
  if (mergeability.kind === "error") {
    return (
      <p role="alert" data-testid="mergeability" className="mt-1 text-xs text-red-700 dark:text-red-300">
        Cannot tell what merging would do: {mergeability.message}
      </p>
    );
  }
  const m = mergeability.data;
  const conflicted = m.conflicts.length > 0;
  const offerRebase = canReview && !m.merged && (m.behind > 0 || conflicted);

  async function ask() {
    setRebase({ kind: "asking" });
    const r = await askRebase(sessionId);
    setRebase(r.ok ? { kind: "asked" } : { kind: "error", message: r.message });
    if (r.ok) onRebaseAsked();
  }

  return (
    <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs">
      <span data-testid="mergeability" data-conflicts={conflicted || undefined} className={`break-words ${conflicted ? "text-red-700 dark:text-red-300" : "text-muted"}`}>
        {m.summary}
      </span>
      {m.needsOverride && !m.merged && (
        <span data-testid="mergeability-override" className="text-amber-800 dark:text-amber-300">
          {m.needsOverride}
        </span>
      )}
      {offerRebase && rebase.kind !== "asked" && (
        <button type="button" data-testid="rebase-button" disabled={rebase.kind === "asking"} onClick={() => void ask()} className="rounded-md border border-line bg-canvas px-2 py-0.5 text-xs text-fg hover:border-accent disabled:opacity-50">
          {rebase.kind === "asking" ? "Asking…" : "Ask the agent to rebase"}
        </button>
      )}
      {rebase.kind === "asked" && (
        <span role="status" data-testid="rebase-asked" className="text-emerald-800 dark:text-emerald-300">
          Asked the agent to rebase onto {baseBranch}; its new checkpoints will show up here.
        </span>
      )}
      {rebase.kind === "error" && (
        <span role="alert" className="text-red-700 dark:text-red-300">
          {rebase.message}
        </span>
      )}
    </div>
  );
}
