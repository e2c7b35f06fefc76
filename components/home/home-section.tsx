"use client";
// One section of the home page: its newest few sessions as tappable cards, each saying in words
// why it is there, and "see all" into the history when the history can filter for it.
import Link from "next/link";
import { ATTENTION_LABELS } from "../../lib/events/status";
import type { HomeSection, HomeSectionKey, HomeSession } from "../../lib/protocol/home";
import { repoLabel } from "../lib/format";
import { TimeAgo } from "../ui/time-ago";
import { ReviewStateBadge } from "../review/review-state-badge";
import { StatusBadge } from "../status-badge";

export const SECTION_TITLES: Record<HomeSectionKey, string> = {
  approval: "Waiting for approval",
  attention: "Needs attention",
  running: "Running",
  review: "Waiting for review",
  merged: "Merged this week",
};

const ACCENT: Record<HomeSectionKey, string> = {
  approval: "border-amber-500/50",
  attention: "border-red-500/50",
  running: "border-blue-500/40",
  review: "border-line",
  merged: "border-line",
};

interface Props {
  kind: HomeSectionKey;
  section: HomeSection;
  seeAll: string | null;
  now: number;
}

export function HomeSectionCard({ kind, section, seeAll, now }: Props) {
  const more = section.total - section.sessions.length;
  return (
    <section aria-labelledby={`home-${kind}-heading`} data-testid={`home-section-${kind}`} data-total={section.total}
      className={`flex min-w-0 flex-col rounded-lg border bg-panel ${ACCENT[kind]}`}>
      <h3 id={`home-${kind}-heading`} className="flex items-center gap-2 border-b border-line px-3 py-2 text-sm font-semibold">
        {SECTION_TITLES[kind]}
        <span className="rounded-full bg-sunken px-2 text-xs font-medium text-muted" data-testid="home-section-count">
          {section.total}
        </span>
      </h3>
      <ul className="flex flex-col divide-y divide-line">
        {section.sessions.map((s) => (
          <Item key={s.id} kind={kind} s={s} now={now} />
        ))}
      </ul>
      {(seeAll || more > 0) && (
        <p className="mt-auto flex flex-wrap items-center gap-x-3 border-t border-line px-3 py-2 text-xs text-muted">
          {more > 0 && <span>{more} more</span>}
          {seeAll && (
            <Link href={seeAll} data-testid={`home-see-all-${kind}`} className="ml-auto py-1 text-accent hover:underline">
              See all in the history
            </Link>
          )}
        </p>
      )}
    </section>
  );
}

function Item({ kind, s, now }: { kind: HomeSectionKey; s: HomeSession; now: number }) {
  return (
    <li data-testid="home-item" data-session-id={s.id}>
      <Link href={`/sessions/${encodeURIComponent(s.id)}`} className="flex min-w-0 flex-col gap-1 px-3 py-2.5 text-sm hover:bg-sunken focus-visible:bg-sunken">
        <span className="font-medium break-words line-clamp-2" data-testid="home-item-title">
          {s.title}
        </span>
        <Why kind={kind} s={s} />
        <span className="flex min-w-0 flex-wrap items-center gap-x-2 text-xs text-muted">
          <span className="min-w-0 truncate" title={s.repo}>
            {repoLabel(s.repo)}
          </span>
          <span>{startedBy(s)}</span>
          <TimeAgo iso={s.at} now={now} className="ml-auto shrink-0" />
        </span>
      </Link>
    </li>
  );
}

function startedBy(s: HomeSession): string {
  if (s.startedByYou) return "started by you";
  if (s.author) return `started by ${s.author}`;
  return s.routine ? `run of the routine ${s.routine}` : "started by a former member";
}

/** Why the session is in this section, in words. */
function Why({ kind, s }: { kind: HomeSectionKey; s: HomeSession }) {
  const line = "text-xs break-words";
  switch (kind) {
    case "approval": {
      const n = s.pendingApprovals;
      return <span className={`${line} text-amber-800 dark:text-amber-300`}>{n > 1 ? `${n} tool calls wait for a decision` : "a tool call waits for a decision"}</span>;
    }
    case "attention": {
      const label = s.attention ? ATTENTION_LABELS[s.attention.kind] : "failed";
      const reason = s.attention?.reason || s.failureReason;
      return (
        <span className={`${line} text-red-700 dark:text-red-300`} data-testid="home-item-why">
          {reason ? `${label}: ${reason}` : label}
        </span>
      );
    }
    case "running":
      return (
        <span>
          <StatusBadge status={s.status} />
        </span>
      );
    case "review":
      return (
        <span>
          <ReviewStateBadge state={s.reviewState} />
        </span>
      );
    case "merged":
      return <span className={`${line} text-violet-700 dark:text-violet-300`}>{s.mergedByYou ? "merged by you" : s.mergedBy ? `merged by ${s.mergedBy}` : "merged"}</span>;
  }
}
