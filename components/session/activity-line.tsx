"use client";
// The line at the end of the transcript that says the agent is alive and what it does: "thinking…
// 12 s", "running `npm test`… 1 min 40 s", "waiting for your approval", "retrying in 8 s",
// "stopping…". Nothing when the agent rests. It ticks every second only while shown.
import { useEffect, useState } from "react";
import type { SessionStatus } from "../../lib/events/status";
import { activityOf, activityText, type Activity } from "../lib/activity";
import type { TranscriptItem } from "../lib/transcript-items";

interface Props {
  items: readonly TranscriptItem[];
  status: SessionStatus;
  /** A stop was asked from this page and the session has not ended yet. */
  stopping: boolean;
  canDecide: boolean;
}

export function ActivityLine({ items, status, stopping, canDecide }: Props) {
  const activity = activityOf(items, status, stopping);
  const now = useNow(activity !== null);
  if (!activity) return null;
  return (
    <div data-testid="activity-line" data-kind={activity.kind} role="status" aria-live="off"
      className="flex min-w-0 items-center gap-2 px-4 py-2 text-sm text-muted">
      <span aria-hidden className={`size-2 shrink-0 rounded-full ${dotColor(activity)} motion-safe:animate-pulse`} />
      <span className="min-w-0 break-words">{activityText(activity, now, canDecide)}</span>
    </div>
  );
}

function dotColor(a: Activity): string {
  if (a.kind === "approval") return "bg-amber-500";
  if (a.kind === "retry" || a.kind === "stopping") return "bg-red-500";
  return "bg-blue-500";
}

/** The current time, renewed every second while `on`. */
function useNow(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [on]);
  return now;
}
