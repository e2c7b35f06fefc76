import { ATTENTION_LABELS, STATUS_LABELS, WORKING_STATUSES, type AttentionKind, type SessionStatus } from "../lib/events/status";

// Colors carry meaning at a glance in the list: blue is working, gray is waiting, red failed.
const STYLE: Record<SessionStatus, string> = {
  queued: "bg-zinc-500/15 text-zinc-600 dark:text-zinc-300",
  starting: "bg-sky-500/15 text-sky-700 dark:text-sky-300",
  running: "bg-blue-500/15 text-blue-700 dark:text-blue-300",
  awaiting_approval: "bg-amber-500/20 text-amber-800 dark:text-amber-300",
  idle: "bg-emerald-500/15 text-emerald-800 dark:text-emerald-300",
  stopped: "bg-zinc-500/15 text-zinc-600 dark:text-zinc-400",
  failed: "bg-red-500/15 text-red-700 dark:text-red-300",
};

// Needing a person overrides the status's color: an idle session after a model error is no success.
const ATTENTION_STYLE: Record<AttentionKind, string> = {
  failed: "bg-red-500/15 text-red-700 dark:text-red-300",
  model_error: "bg-red-500/15 text-red-700 dark:text-red-300",
  budget: "bg-amber-500/20 text-amber-800 dark:text-amber-300",
  approval: "bg-amber-500/20 text-amber-800 dark:text-amber-300",
};

const ACTIVE: readonly SessionStatus[] = WORKING_STATUSES.filter((s) => s !== "queued");

interface Props {
  status: SessionStatus;
  /** What a person must act on (SessionDto.attention); the reason shows on hover. */
  attention?: { kind: AttentionKind; reason: string } | null;
}

export function StatusBadge({ status, attention }: Props) {
  const label = STATUS_LABELS[status] ?? status;
  const extra = attention ? ATTENTION_LABELS[attention.kind] : null;
  return (
    <span
      data-testid="session-status"
      data-status={status}
      data-attention={attention?.kind}
      title={attention ? `Needs attention: ${attention.reason || extra}` : undefined}
      className={`inline-flex max-w-full items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ${attention ? ATTENTION_STYLE[attention.kind] : STYLE[status]}`}
    >
      <span aria-hidden className={`size-1.5 shrink-0 rounded-full bg-current ${ACTIVE.includes(status) ? "motion-safe:animate-pulse" : ""}`} />
      {attention && <span aria-hidden>⚠</span>}
      <span className="truncate">
        {label}
        {extra && extra !== label && ` · ${extra}`}
        {attention && <span className="sr-only"> (needs attention)</span>}
      </span>
    </span>
  );
}
