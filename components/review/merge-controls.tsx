"use client";
// Merge (with a strategy), push the branch, download the patch series. Merge is on only when the
// server says there is something to merge and the agent is not working (GET …/mergeability); it
// asks first with strategy, target, commits and files, and for a reason when the review is not
// settled. Push asks first too (a framed or stray click must not ship a branch). The merge itself
// runs as a background job: its progress and result (or failure, with Retry) follow below, and
// Merge stays off while one runs, whoever started it.
import { useState } from "react";
import type { Mergeability } from "../../lib/protocol/review";
import { ConfirmDialog } from "../confirm-dialog";
import { shortSha } from "../lib/format";
import { useShortcuts } from "../lib/shortcuts";
import { mergeSession, type MergeOutcome, type MergeStrategy } from "./lib/merge-api";
import { patchUrl, pushBranch } from "./lib/review-api";
import { MergeConfirm } from "./merge-confirm";
import { mergeActive, MergeProgress, useMergeJob } from "./merge-progress";
import type { Loaded } from "./use-review-data";

interface Props {
  sessionId: string;
  baseBranch: string;
  /** The session's branch (dockside/…), named in the confirmations. */
  branch: string;
  canReview: boolean;
  /** Why the caller may not merge (role, protected base); null when they may. */
  mergeBlocked: string | null;
  mergeability: Loaded<Mergeability>;
  /** A merge changed the branch's state: reload it. */
  onChanged(): void;
}

type Result = MergeOutcome | { kind: "pushed"; branch: string; remoteHead: string };

const BTN = "rounded-md border border-line bg-panel px-2.5 py-1 text-sm hover:border-accent disabled:cursor-not-allowed disabled:opacity-50";

export const STRATEGY_NAME: Record<MergeStrategy, string> = { merge: "merge commit", squash: "squash", ff: "fast-forward" };

/** Why Merge is off: the caller's role first, a merge running, then what the server says about the branch. */
function whyNot(mergeBlocked: string | null, m: Loaded<Mergeability>, running: string | null): string | null {
  if (mergeBlocked) return mergeBlocked;
  if (running) return `${running} is merging this session now.`;
  if (m.kind === "loading") return "Checking what merging would do…";
  if (m.kind === "error") return `Cannot tell what merging would do: ${m.message}`;
  return m.data.blocked ? m.data.blocked[0].toUpperCase() + m.data.blocked.slice(1) + "." : null;
}

export function MergeControls({ sessionId, baseBranch, branch, canReview, mergeBlocked, mergeability, onChanged }: Props) {
  const [strategy, setStrategy] = useState<MergeStrategy>("merge");
  const [busy, setBusy] = useState<"merge" | "push" | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [asking, setAsking] = useState<"merge" | "push" | null>(null);
  const { merge: job, started } = useMergeJob(sessionId, onChanged);
  const m = mergeability.kind === "ok" ? mergeability.data : null;
  const blocked = whyNot(mergeBlocked, mergeability, mergeActive(job) ? job!.by : null);
  const behind = m?.behind ?? 0;
  const canMerge = blocked === null && busy === null && m !== null;
  useShortcuts("review", canMerge ? { m: { description: `Merge into ${baseBranch} (asks first)`, run: () => setAsking("merge") } } : {});

  async function merge(overrideReason: string | undefined) {
    setBusy("merge");
    setResult(null);
    const r = await mergeSession(sessionId, { strategy, overrideReason });
    setBusy(null);
    if (r.kind === "started") started(r.merge);
    else setResult(r);
  }
  async function push() {
    setBusy("push");
    setResult(null);
    const r = await pushBranch(sessionId);
    setBusy(null);
    setResult(r.ok ? { kind: "pushed", ...r.data } : { kind: "error", message: r.message });
  }

  return (
    <div className="flex min-w-0 flex-col items-start gap-1.5 sm:items-end">
      <div className="flex flex-wrap items-center gap-2">
        <a data-testid="patch-link" href={patchUrl(sessionId)} download className="text-sm text-accent hover:underline">
          Download patch
        </a>
        <button type="button" data-testid="push-button" disabled={!canReview || busy !== null} title={canReview ? "Push the session branch without merging" : "Only members can push."} onClick={() => setAsking("push")} className={BTN}>
          {busy === "push" ? "Pushing…" : "Push branch"}
        </button>
        <span title={blocked ?? undefined} className="flex items-center gap-1">
          <label htmlFor="merge-strategy" className="sr-only">Merge strategy</label>
          <select id="merge-strategy" data-testid="merge-strategy" value={strategy} disabled={blocked !== null} onChange={(e) => setStrategy(e.target.value as MergeStrategy)} className="rounded-md border border-line bg-canvas px-1.5 py-1 text-sm disabled:opacity-50">
            <option value="merge">Merge commit</option>
            <option value="squash">Squash</option>
            <option value="ff" disabled={behind > 0}>
              {behind > 0 ? `Fast-forward (${baseBranch} moved)` : "Fast-forward"}
            </option>
          </select>
          <button
            type="button"
            data-testid="merge-button"
            disabled={blocked !== null || busy !== null}
            title={blocked ?? `Merge into ${baseBranch}`}
            onClick={() => setAsking("merge")}
            className="rounded-md bg-emerald-700 px-3 py-1 text-sm font-medium text-white hover:bg-emerald-800 disabled:cursor-not-allowed disabled:opacity-50"
          >
            {busy === "merge" || mergeActive(job) ? "Merging…" : `Merge into ${baseBranch}`}
          </button>
        </span>
      </div>
      {asking === "merge" && m && (
        <MergeConfirm
          strategy={STRATEGY_NAME[strategy]}
          baseBranch={baseBranch}
          branch={branch}
          commits={m.commits}
          files={m.files}
          needsOverride={m.needsOverride}
          onCancel={() => setAsking(null)}
          onConfirm={(reason) => {
            setAsking(null);
            void merge(reason);
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
      {result ? (
        <ResultView result={result} baseBranch={baseBranch} />
      ) : (
        job && <MergeProgress merge={job} baseBranch={baseBranch} strategyName={STRATEGY_NAME[job.strategy]} onRetry={blocked === null ? () => setAsking("merge") : null} />
      )}
    </div>
  );
}

function ResultView({ result, baseBranch }: { result: Result; baseBranch: string }) {
  const tone = result.kind === "pushed" ? "text-emerald-800 dark:text-emerald-300" : "text-red-700 dark:text-red-300";
  return (
    <div data-testid="merge-result" data-kind={result.kind} role="status" className={`max-w-xl break-words text-sm sm:text-right ${tone}`}>
      {result.kind === "pushed" && `Pushed ${result.branch} (${shortSha(result.remoteHead)}).`}
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
        </>
      )}
    </div>
  );
}
