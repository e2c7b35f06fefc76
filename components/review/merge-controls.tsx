"use client";
// Merge (with a strategy), push the branch, download the patch series. Merge and push ask first,
// saying what will happen (a framed or stray click must not ship a branch). A merge conflict
// lists the conflicting files and offers to have the agent rebase.
import { useState } from "react";
import { ConfirmDialog } from "../confirm-dialog";
import { shortSha } from "../lib/format";
import { askRebase, mergeSession, patchUrl, pushBranch, type MergeOutcome, type MergeStrategy } from "./lib/review-api";

interface Props {
  sessionId: string;
  baseBranch: string;
  /** The session's branch (dockside/…), named in the confirmations. */
  branch: string;
  canReview: boolean;
  mergeBlocked: string | null;
  /** A merge or a rebase request changed the review state: reload it. */
  onChanged(): void;
}

type Result = MergeOutcome | { kind: "pushed"; branch: string; remoteHead: string } | { kind: "rebasing" };

const BTN = "rounded-md border border-line bg-panel px-2.5 py-1 text-sm hover:border-accent disabled:cursor-not-allowed disabled:opacity-50";

const STRATEGY_NAME: Record<MergeStrategy, string> = { merge: "merge commit", squash: "squash", ff: "fast-forward" };

export function MergeControls({ sessionId, baseBranch, branch, canReview, mergeBlocked, onChanged }: Props) {
  const [strategy, setStrategy] = useState<MergeStrategy>("merge");
  const [busy, setBusy] = useState<"merge" | "push" | "rebase" | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [asking, setAsking] = useState<"merge" | "push" | null>(null);

  async function merge() {
    setBusy("merge");
    setResult(null);
    const r = await mergeSession(sessionId, strategy);
    setBusy(null);
    setResult(r);
    if (r.kind === "merged") onChanged();
  }
  async function push() {
    setBusy("push");
    setResult(null);
    const r = await pushBranch(sessionId);
    setBusy(null);
    setResult(r.ok ? { kind: "pushed", ...r.data } : { kind: "error", message: r.message });
  }
  async function rebase() {
    setBusy("rebase");
    const r = await askRebase(sessionId);
    setBusy(null);
    setResult(r.ok ? { kind: "rebasing" } : { kind: "error", message: r.message });
    if (r.ok) onChanged();
  }

  return (
    <div className="flex flex-col items-end gap-1.5">
      <div className="flex flex-wrap items-center gap-2">
        <a data-testid="patch-link" href={patchUrl(sessionId)} download className="text-sm text-accent hover:underline">
          Download patch
        </a>
        <button type="button" data-testid="push-button" disabled={!canReview || busy !== null} title={canReview ? "Push the session branch without merging" : "Only members can push."} onClick={() => setAsking("push")} className={BTN}>
          {busy === "push" ? "Pushing…" : "Push branch"}
        </button>
        <span title={mergeBlocked ?? undefined} className="flex items-center gap-1">
          <label htmlFor="merge-strategy" className="sr-only">Merge strategy</label>
          <select id="merge-strategy" data-testid="merge-strategy" value={strategy} disabled={mergeBlocked !== null} onChange={(e) => setStrategy(e.target.value as MergeStrategy)} className="rounded-md border border-line bg-canvas px-1.5 py-1 text-sm disabled:opacity-50">
            <option value="merge">Merge commit</option>
            <option value="squash">Squash</option>
            <option value="ff">Fast-forward</option>
          </select>
          <button
            type="button"
            data-testid="merge-button"
            disabled={mergeBlocked !== null || busy !== null}
            title={mergeBlocked ?? `Merge into ${baseBranch}`}
            onClick={() => setAsking("merge")}
            className="rounded-md bg-emerald-600 px-3 py-1 text-sm font-medium text-white hover:bg-emerald-700 disabled:cursor-not-allowed disabled:opacity-50"
          >
            {busy === "merge" ? "Merging…" : `Merge into ${baseBranch}`}
          </button>
        </span>
      </div>
      {asking === "merge" && (
        <ConfirmDialog
          title={`Merge into ${baseBranch}?`}
          message={`Merge ${branch} into ${baseBranch} (${STRATEGY_NAME[strategy]})? This pushes to the origin.`}
          confirmLabel="Merge"
          onCancel={() => setAsking(null)}
          onConfirm={() => {
            setAsking(null);
            void merge();
          }}
        />
      )}
      {asking === "push" && (
        <ConfirmDialog
          title={`Push ${branch}?`}
          message={`Push ${branch} to the origin? It replaces the origin's ${branch} with this session's head (a forced push); nothing is merged into ${baseBranch}.`}
          confirmLabel="Push"
          onCancel={() => setAsking(null)}
          onConfirm={() => {
            setAsking(null);
            void push();
          }}
        />
      )}
      {result && <ResultView result={result} baseBranch={baseBranch} rebasing={busy === "rebase"} onRebase={() => void rebase()} />}
    </div>
  );
}

function ResultView({ result, baseBranch, rebasing, onRebase }: { result: Result; baseBranch: string; rebasing: boolean; onRebase(): void }) {
  const tone = result.kind === "conflict" || result.kind === "error" ? "text-red-700 dark:text-red-300" : "text-emerald-700 dark:text-emerald-300";
  return (
    <div data-testid="merge-result" data-kind={result.kind} role="status" className={`max-w-xl text-right text-sm ${tone}`}>
      {result.kind === "merged" && `Merged into ${baseBranch} (${result.strategy}); ${baseBranch} is now at ${shortSha(result.baseHead)}.`}
      {result.kind === "pushed" && `Pushed ${result.branch} (${shortSha(result.remoteHead)}).`}
      {result.kind === "rebasing" && `Asked the agent to rebase onto ${baseBranch}. Its new checkpoints will show up here.`}
      {result.kind === "error" && result.message}
      {result.kind === "conflict" && (
        <>
          <p>{result.message}</p>
          <ul data-testid="merge-conflicts" className="mt-1 font-mono text-xs">
            {result.conflicts.map((f) => (
              <li key={f} data-testid="merge-conflict-file" className="break-all">{f}</li>
            ))}
            {result.conflicts.length === 0 && <li className="font-sans text-muted">git did not name the conflicting files.</li>}
          </ul>
          <button type="button" data-testid="rebase-button" disabled={rebasing} onClick={onRebase} className="mt-1.5 rounded-md border border-line bg-panel px-2.5 py-1 text-sm text-fg hover:border-accent disabled:opacity-50">
            {rebasing ? "Asking…" : "Ask the agent to rebase"}
          </button>
        </>
      )}
    </div>
  );
}
