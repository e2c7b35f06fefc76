"use client";
// Everything the review page reads besides the diff: the session, the caller's role in its team,
// the review summary and the checkpoints. The checkpoints are polled (cheaply) so a reviewer
// notices when the agent moves the branch while they read.
import { useCallback, useEffect, useState } from "react";
import { useMe } from "../me-provider";
import type { Role } from "../../lib/auth/roles";
import type { SessionDto } from "../../lib/protocol/api";
import type { DiffJson, InitialReview, Mergeability, ReviewSummary } from "../../lib/protocol/review";
import { prefetchDiff } from "./use-diff";
import { loadMergeability } from "./lib/merge-api";
import { loadCommits, loadSession, loadSummary, type CommitList } from "./lib/review-api";

const POLL_MS = 10_000;

export type Loaded<T> = { kind: "loading" } | { kind: "error"; message: string } | { kind: "ok"; data: T };

export interface ReviewData {
  session: SessionDto;
  role: Role | null;
  summary: Loaded<ReviewSummary>;
  commits: Loaded<CommitList>;
  reloadSummary(): Promise<void>;
  reloadCommits(): Promise<void>;
  /** The whole branch's diff index as the page's server render read it (useDiff starts from it). */
  initialDiff: DiffJson | null;
}

type SessionLoad = { kind: "loading" } | { kind: "missing" } | { kind: "error"; message: string } | { kind: "ok"; session: SessionDto };

export function useReviewData(id: string, initial: InitialReview | null = null): { load: SessionLoad; data: ReviewData | null } {
  const [load, setLoad] = useState<SessionLoad>(initial ? { kind: "ok", session: initial.session } : { kind: "loading" });
  const given = initial !== null;
  const [summary, setSummary] = useState<Loaded<ReviewSummary>>({ kind: "loading" });
  const [commits, setCommits] = useState<Loaded<CommitList>>({ kind: "loading" });

  const reloadSummary = useCallback(async () => {
    const res = await loadSummary(id);
    if (res.ok) setSummary({ kind: "ok", data: res.data });
    else if (res.code !== "aborted") setSummary((s) => (s.kind === "ok" ? s : { kind: "error", message: res.message }));
  }, [id]);

  const reloadCommits = useCallback(async () => {
    const res = await loadCommits(id);
    if (res.ok) setCommits((c) => (c.kind === "ok" && sameCommits(c.data, res.data) ? c : { kind: "ok", data: res.data }));
    else setCommits((c) => (c.kind === "ok" ? c : { kind: "error", message: res.message }));
  }, [id]);

  // The gate renders the page only once /api/me answered: the caller's teams are known.
  const { state: me } = useMe();
  const teams = me.kind === "ok" ? me.me.teams : null;
  useEffect(() => {
    const ctl = new AbortController();
    // The server's render brought the session and the diff's index: nothing of them to ask for.
    if (!given) prefetchDiff(id);
    if (!given) void (async () => {
      const s = await loadSession(id, ctl.signal);
      if (ctl.signal.aborted) return;
      if (!s.ok) {
        setLoad(s.status === 404 ? { kind: "missing" } : { kind: "error", message: s.message });
        return;
      }
      setLoad({ kind: "ok", session: s.data });
    })();
    void reloadSummary();
    void reloadCommits();
    return () => ctl.abort();
  }, [id, given, reloadSummary, reloadCommits]);

  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void reloadCommits();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [reloadCommits]);

  if (load.kind !== "ok") return { load, data: null };
  const role = teams?.find((t) => t.id === load.session.teamId)?.role ?? null;
  return { load, data: { session: load.session, role, summary, commits, reloadSummary, reloadCommits, initialDiff: initial?.index ?? null } };
}

// A poll that found nothing new keeps the old object, so nothing downstream re-renders.
const sameCommits = (a: CommitList, b: CommitList) =>
  a.headCommit === b.headCommit && a.baseCommit === b.baseCommit && a.commits.length === b.commits.length && a.commits.every((c, i) => c.sha === b.commits[i].sha);

/**
 * What merging would do now (commits, files, how far the base moved, conflicts, why not), polled
 * like the checkpoints: the base moves and the agent starts working without the page knowing.
 * A new `trigger` (the review summary, reloaded after every review, reset or merge) asks again.
 */
export function useMergeability(id: string, trigger: unknown): { state: Loaded<Mergeability>; reload(): Promise<void> } {
  const [state, setState] = useState<Loaded<Mergeability>>({ kind: "loading" });
  const reload = useCallback(async () => {
    const res = await loadMergeability(id);
    if (res.ok) setState({ kind: "ok", data: res.data });
    else if (res.code !== "aborted") setState({ kind: "error", message: res.message });
  }, [id]);
  useEffect(() => {
    void reload();
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void reload();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [reload, trigger]);
  return { state, reload };
}
