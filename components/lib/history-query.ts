// The history page's filters: what the form holds, how they sit in the page address (so a
// search can be bookmarked or shared), and how they become the /api/sessions query.
import { SESSION_STATUSES, type SessionStatus } from "../../lib/events/schema";
import { ATTENTION_KINDS, type AttentionKind } from "../../lib/events/status";

/** "any": every session that needs a person; a kind: only those. */
export type AttentionFilter = "" | "any" | AttentionKind;
const ATTENTION_VALUES: readonly string[] = ["any", ...ATTENTION_KINDS];

export type ReviewFilter = "" | "waiting" | "merged";
const REVIEW_VALUES: readonly string[] = ["waiting", "merged"];

export interface HistoryFilters {
  q: string;
  status: SessionStatus | "";
  attention: AttentionFilter;
  review: ReviewFilter;
  repo: string;
  /** A user id. */
  author: string;
  /** Local calendar days as the date inputs give them: "2026-03-01". */
  from: string;
  to: string;
}

export const EMPTY_FILTERS: HistoryFilters = { q: "", status: "", attention: "", review: "", repo: "", author: "", from: "", to: "" };

const KEYS = ["q", "status", "attention", "review", "repo", "author", "from", "to"] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Reads filters from page search params, dropping values the form could not have produced. */
export function filtersFromParams(params: Record<string, string | string[] | undefined>): HistoryFilters {
  const one = (k: string) => {
    const v = params[k];
    return (Array.isArray(v) ? v[0] : v)?.slice(0, 2000) ?? "";
  };
  const status = one("status");
  const attention = one("attention");
  const review = one("review");
  return {
    q: one("q"),
    status: (SESSION_STATUSES as readonly string[]).includes(status) ? (status as SessionStatus) : "",
    attention: ATTENTION_VALUES.includes(attention) ? (attention as AttentionFilter) : "",
    review: REVIEW_VALUES.includes(review) ? (review as ReviewFilter) : "",
    repo: one("repo"),
    author: one("author"),
    from: DAY.test(one("from")) ? one("from") : "",
    to: DAY.test(one("to")) ? one("to") : "",
  };
}

/** The page address for these filters ("" when none are set). */
export function filtersToSearch(f: HistoryFilters): string {
  const p = new URLSearchParams();
  for (const k of KEYS) {
    const v = f[k].trim();
    if (v) p.set(k, v);
  }
  const s = p.toString();
  return s ? `?${s}` : "";
}

export function isFiltered(f: HistoryFilters): boolean {
  return KEYS.some((k) => f[k].trim() !== "");
}

/**
 * The /api/sessions query. Days become instants at the edges of the person's own day, so
 * "to 2026-03-01" includes everything started on that day where they are.
 */
export function historyQuery(f: HistoryFilters, cursor: string | null): string {
  const p = new URLSearchParams();
  if (f.q.trim()) p.set("q", f.q.trim());
  if (f.status) p.set("status", f.status);
  if (f.attention) p.set("attention", f.attention);
  if (f.review) p.set("review", f.review);
  if (f.repo.trim()) p.set("repo", f.repo.trim());
  if (f.author) p.set("author", f.author);
  const from = dayStart(f.from, 0);
  const to = dayStart(f.to, 1);
  if (from) p.set("from", from.toISOString());
  if (to) p.set("to", to.toISOString()); // the API's `to` is exclusive: the start of the next day
  if (cursor) p.set("cursor", cursor);
  const s = p.toString();
  return `/api/sessions${s ? `?${s}` : ""}`;
}

function dayStart(day: string, plusDays: number): Date | null {
  if (!DAY.test(day)) return null;
  const [y, m, d] = day.split("-").map(Number);
  const date = new Date(y, m - 1, d + plusDays);
  return Number.isNaN(date.getTime()) ? null : date;
}
