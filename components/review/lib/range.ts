// Which part of the session branch the diff shows: everything, what changed since my last
// review, or a picked range of checkpoints (both ends: the base or a checkpoint).
import type { CommitDto } from "../../../lib/protocol/review";

export type RangeSel = { kind: "all" } | { kind: "since" } | { kind: "custom"; from: string; to: string };

export interface RangeContext {
  base: string | null;
  head: string | null;
  lastReviewed: string | null;
}

/** The from/to to ask the server for; absent ends mean base and head. */
export function diffQuery(sel: RangeSel, ctx: RangeContext): { from?: string; to?: string } {
  if (sel.kind === "custom") return { from: sel.from, to: sel.to };
  if (sel.kind === "since" && ctx.lastReviewed) return { from: ctx.lastReviewed, ...(ctx.head ? { to: ctx.head } : {}) };
  return {};
}

export interface DiffUrlQuery {
  from?: string;
  to?: string;
  view?: "index";
  offset?: number;
  limit?: number;
  full?: boolean;
}

export function diffUrl(sessionId: string, q: DiffUrlQuery): string {
  const params = new URLSearchParams({ format: "json" });
  if (q.from) params.set("from", q.from);
  if (q.to) params.set("to", q.to);
  if (q.view) params.set("view", q.view);
  if (q.offset !== undefined) params.set("offset", String(q.offset));
  if (q.limit !== undefined) params.set("limit", String(q.limit));
  if (q.full) params.set("full", "1");
  return `/api/sessions/${encodeURIComponent(sessionId)}/diff?${params}`;
}

/** The base followed by every checkpoint, oldest first: the points a range can start or end at. */
export const points = (base: string, commits: readonly CommitDto[]): string[] => [base, ...commits.map((c) => c.sha)];

/** One checkpoint on its own: from its predecessor (or the base) to itself. */
export function singleCommit(base: string, commits: readonly CommitDto[], sha: string): RangeSel | null {
  const i = commits.findIndex((c) => c.sha === sha);
  if (i < 0) return null;
  return { kind: "custom", from: i === 0 ? base : commits[i - 1].sha, to: sha };
}

/** A range spanning two checkpoints in either order (shift-click), both included. */
export function spanCommits(base: string, commits: readonly CommitDto[], a: string, b: string): RangeSel | null {
  const i = commits.findIndex((c) => c.sha === a);
  const j = commits.findIndex((c) => c.sha === b);
  if (i < 0 || j < 0) return null;
  const [lo, hi] = i <= j ? [i, j] : [j, i];
  return { kind: "custom", from: lo === 0 ? base : commits[lo - 1].sha, to: commits[hi].sha };
}

/** Whether a checkpoint's changes are part of the range (it lies after `from`, up to `to`). */
export function inRange(sel: RangeSel, ctx: RangeContext, commits: readonly CommitDto[], sha: string): boolean {
  const all = points(ctx.base ?? "", commits);
  const at = all.indexOf(sha);
  if (at < 0) return false;
  const q = diffQuery(sel, ctx);
  const from = q.from ? all.indexOf(q.from) : 0;
  const to = q.to ? all.indexOf(q.to) : all.length - 1;
  if (from < 0 || to < 0) return false;
  return at > Math.min(from, to) && at <= Math.max(from, to);
}
