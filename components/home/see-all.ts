// Where a home section's "see all" leads: the history below, filtered the way the section is.
// The history filters by status, attention, review and who started a session. "Merged this week"
// leads to every merged session (the history filters by start date, not merge date), and "mine"
// there means started by the person (the home section also counts what they merged).
import type { SessionStatus } from "../../lib/events/status";
import type { HomeScope, HomeSectionKey } from "../../lib/protocol/home";

const FILTER: Partial<Record<HomeSectionKey, Record<string, string>>> = {
  approval: { status: "awaiting_approval" satisfies SessionStatus },
  // Failed, model errors and budgets alike (the history's "Needs attention" filter).
  attention: { attention: "any" },
  running: { status: "running" satisfies SessionStatus },
  review: { review: "waiting" },
  merged: { review: "merged" },
};

/** The history's heading: the link scrolls there. */
export const HISTORY_ANCHOR = "sessions-heading";

export function seeAllHref(kind: HomeSectionKey, scope: HomeScope, userId: string): string | null {
  const filter = FILTER[kind];
  if (!filter) return null;
  const p = new URLSearchParams(filter);
  if (scope === "mine") p.set("author", userId);
  return `/?${p.toString()}#${HISTORY_ANCHOR}`;
}
