// Where a home section's "see all" leads: the history below, filtered the way the section is.
// The history filters by one status and by who started a session; sections it cannot express
// (review, merges) get no link.
import type { SessionStatus } from "../../lib/events/status";
import type { HomeScope, HomeSectionKey } from "../../lib/protocol/home";

const STATUS: Partial<Record<HomeSectionKey, SessionStatus>> = {
  approval: "awaiting_approval",
  attention: "failed",
  running: "running",
};

/** The history's heading: the link scrolls there. */
export const HISTORY_ANCHOR = "sessions-heading";

export function seeAllHref(kind: HomeSectionKey, scope: HomeScope, userId: string): string | null {
  const status = STATUS[kind];
  if (!status) return null;
  const p = new URLSearchParams({ status });
  if (scope === "mine") p.set("author", userId);
  return `/?${p.toString()}#${HISTORY_ANCHOR}`;
}
