"use client";
// A merge runs as a background job (lib/review/merge-job.ts): this follows it from the review page.
// The state lives in PostgreSQL, so reading it answers the same on every instance; while a merge
// is queued or running (started here, in another tab or by someone else) it is read every second,
// and its step, result (the new base head) or failure (with Retry) shows under the controls.
// A merge someone starts after this page loaded reaches it through the session's socket room
// (the server's `merge` message), which starts the following.
import { useCallback, useEffect, useRef, useState } from "react";
import { MergeJobSchema, type MergeJob } from "../../lib/protocol/review";
import { shortSha } from "../lib/format";
import { getSocket } from "../lib/socket";
import { loadMerge } from "./lib/merge-api";

const POLL_MS = 1000;
const STEP_WORDS: Record<MergeJob["step"], string> = {
  queued: "Waiting to start…",
  preparing: "Fetching the current base…",
  merging: "Merging…",
  writing: "Writing the merge commit…",
  pushing: "Pushing to the origin…",
  done: "Done.",
};
const ORDER: MergeJob["step"][] = ["preparing", "merging", "writing", "pushing", "done"];
export const mergeActive = (m: MergeJob | null) => m !== null && (m.state === "queued" || m.state === "running");

/** The session's latest merge, followed while it runs; `onEnded` once a followed merge ends. */
export function useMergeJob(sessionId: string, onEnded: (m: MergeJob) => void) {
  const [merge, setMerge] = useState<MergeJob | null>(null);
  const ended = useRef(onEnded);
  ended.current = onEnded;
  const followed = useRef(false);

  useEffect(() => {
    const ctl = new AbortController();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const tick = async () => {
      const r = await loadMerge(sessionId, ctl.signal);
      if (ctl.signal.aborted) return;
      const m = r.ok ? r.data.merge : null;
      if (r.ok) setMerge(m);
      if (mergeActive(m) || (!r.ok && followed.current)) {
        followed.current = true;
        timer = setTimeout(tick, POLL_MS);
      } else if (m && followed.current) {
        followed.current = false;
        ended.current(m);
      }
    };
    if (merge === null || mergeActive(merge)) void tick();
    return () => {
      ctl.abort();
      if (timer) clearTimeout(timer);
    };
    // Re-run when a merge starts here (its id changes); the loop itself follows its state.
  }, [sessionId, merge?.id]);

  // The session's room, joined without a replay (this page reads no events; the subscribe is
  // authorized like any other): merges started elsewhere arrive here.
  useEffect(() => {
    const socket = getSocket();
    const join = () => socket.emit("subscribe", { sessionId, after: Number.MAX_SAFE_INTEGER }, () => {});
    const onMerge = (msg: { sessionId: string; merge: unknown }) => {
      const m = msg?.sessionId === sessionId ? MergeJobSchema.safeParse(msg.merge) : null;
      if (!m?.success) return;
      // Followed from here: the poll (which also covers a dropped socket) reports its end.
      if (mergeActive(m.data)) followed.current = true;
      setMerge((cur) => (cur && cur.id === m.data.id && !mergeActive(cur) ? cur : m.data));
    };
    socket.on("merge", onMerge);
    socket.on("connect", join);
    if (socket.connected) join();
    return () => {
      socket.off("merge", onMerge);
      socket.off("connect", join);
      socket.emit("unsubscribe", { sessionId });
    };
  }, [sessionId]);

  const started = useCallback((m: MergeJob) => {
    followed.current = true;
    setMerge(m);
  }, []);
  return { merge, started };
}

export function MergeProgress({ merge, baseBranch, strategyName, onRetry }: { merge: MergeJob; baseBranch: string; strategyName: string; onRetry: (() => void) | null }) {
  if (mergeActive(merge)) {
    const at = ORDER.indexOf(merge.step);
    const counts = merge.total ? ` ${merge.done ?? 0} of ${merge.total} files.` : "";
    return (
      <div data-testid="merge-progress" data-state={merge.state} data-step={merge.step} role="status" className="flex max-w-xl flex-col gap-1 text-sm sm:items-end">
        <span>
          {merge.by} is merging into {baseBranch} ({strategyName}): {STEP_WORDS[merge.step]}
          {counts}
        </span>
        <progress max={ORDER.length} value={Math.max(0, at)} aria-label={`Merge step ${Math.max(0, at) + 1} of ${ORDER.length}`} className="h-1.5 w-48" />
      </div>
    );
  }
  if (merge.state === "merged") {
    return (
      <div data-testid="merge-result" data-kind="merged" role="status" className="max-w-xl break-words text-sm text-emerald-800 sm:text-right dark:text-emerald-300">
        Merged into {baseBranch} ({strategyName}) by {merge.by}; {baseBranch} is now at {shortSha(merge.sha ?? "")}.
      </div>
    );
  }
  return (
    <div data-testid="merge-result" data-kind="failed" role="alert" className="flex max-w-xl flex-col gap-1 break-words text-sm text-red-700 sm:items-end sm:text-right dark:text-red-300">
      <p>The merge failed: {merge.error}</p>
      {merge.conflicts.length > 0 && (
        <ul data-testid="merge-conflicts" className="font-mono text-xs">
          {merge.conflicts.map((f) => (
            <li key={f} data-testid="merge-conflict-file" className="break-all">{f}</li>
          ))}
        </ul>
      )}
      {onRetry && (
        <button type="button" data-testid="merge-retry" onClick={onRetry} className="rounded-md border border-line bg-panel px-2.5 py-1 text-sm text-fg hover:border-accent">
          Retry
        </button>
      )}
    </div>
  );
}
