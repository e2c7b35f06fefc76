import { STATUS_LABELS, WORKING_STATUSES, type SessionStatus } from "../lib/events/status";

// Colors carry meaning at a glance in the list: blue is working, gray is waiting, red failed.
const STYLE: Record<SessionStatus, string> = {
  queued: "bg-zinc-500/15 text-zinc-600 dark:text-zinc-300",
  starting: "bg-sky-500/15 text-sky-700 dark:text-sky-300",
  running: "bg-blue-500/15 text-blue-700 dark:text-blue-300",
  awaiting_approval: "bg-amber-500/20 text-amber-800 dark:text-amber-300",
  idle: "bg-emerald-500/15 text-emerald-700 dark:text-emerald-300",
  stopped: "bg-zinc-500/15 text-zinc-600 dark:text-zinc-400",
  failed: "bg-red-500/15 text-red-700 dark:text-red-300",
};

const ACTIVE: readonly SessionStatus[] = WORKING_STATUSES.filter((s) => s !== "queued");

export function StatusBadge({ status }: { status: SessionStatus }) {
  return (
    <span
      data-testid="session-status"
      data-status={status}
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ${STYLE[status]}`}
    >
      <span aria-hidden className={`size-1.5 rounded-full bg-current ${ACTIVE.includes(status) ? "motion-safe:animate-pulse" : ""}`} />
      {STATUS_LABELS[status] ?? status}
    </span>
  );
}
