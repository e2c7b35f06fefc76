// What this session is and where it stands: repo, branches, model, who started it, live status
// tokens and cost (a live meter: the page folds usage events in). `actions` (presence, export, share) sit on a second row when given.
import type { ReactNode } from "react";
import type { SessionStatus } from "../lib/events/schema";
import { ATTENTION_LABELS, isWorking } from "../lib/events/status";
import type { Attention } from "../lib/sessions/attention";
import type { SessionDto } from "../lib/protocol/api";
import { formatUsd } from "../lib/protocol/money";
import { formatTokens, repoLabel } from "./lib/format";
import type { Connection } from "./lib/use-session-events";
import { StatusBadge } from "./status-badge";
import { hasWork, ReviewStateBadge } from "./review/review-state-badge";
import { RoutineMark } from "./routines/routine-mark";
import { RetryButton } from "./session/retry-button";

interface Props {
  session: SessionDto;
  status: SessionStatus;
  failureReason: string | null;
  /** What a person must act on, live (null: nothing). */
  attention?: Attention | null;
  /** The person may retry (a member): shown when the attention allows it. */
  canRetry?: boolean;
  /** costUsd: what the usage events so far cost (the page's live sum; the row's total is the floor). */
  tokens: { input: number; output: number; costUsd?: number };
  /** Absent on pages that don't follow the session live (shared links). */
  connection?: Connection;
  actions?: ReactNode;
}

export function SessionHeader({ session, status, failureReason, tokens, connection, actions, attention, canRetry }: Props) {
  return (
    <div className="shrink-0 border-b border-line bg-panel px-4 py-3">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1">
        <h1 className="text-base font-semibold" title={session.repo} data-testid="session-repo">
          {repoLabel(session.repo)}
        </h1>
        <StatusBadge status={status} attention={attention} />
        {hasWork(session) && <ReviewStateBadge state={session.reviewState} />}
        <RoutineMark routine={session.routine} />
        <span className="font-mono text-xs text-muted" data-testid="session-branches">
          {session.baseBranch} → {session.branch}
        </span>
        <span className="text-xs text-muted" data-testid="session-model">
          {session.model}
        </span>
        <span className="text-xs text-muted">
          started by{" "}
          <span data-testid="session-started-by" className="font-medium text-fg">
            {session.createdBy?.name ?? "unknown"}
          </span>
        </span>
        <span
          className="ml-auto font-mono text-xs text-muted"
          data-testid="session-tokens"
          title={`${tokens.input.toLocaleString("en-US")} input, ${tokens.output.toLocaleString("en-US")} output tokens`}
        >
          {formatTokens(tokens.input + tokens.output)} tokens
        </span>
        <CostMeter session={session} costUsd={Math.max(tokens.costUsd ?? 0, session.usage.costUsd)} />
        {connection && connection !== "live" && (
          <span data-testid="connection-status" className="text-xs text-amber-800 dark:text-amber-400">
            {connection === "connecting" ? "connecting…" : "reconnecting…"}
          </span>
        )}
      </div>
      {actions && <div className="mt-2 flex flex-wrap items-center gap-2">{actions}</div>}
      {status === "failed" && failureReason && (
        <p data-testid="failure-reason" role="alert" className="mt-2 break-words text-sm text-red-700 dark:text-red-400">
          {failureReason}
        </p>
      )}
      {/* An approval has its own banner; a failure its reason above: this says the rest. */}
      {attention && attention.kind !== "approval" && (
        <div data-testid="attention" data-kind={attention.kind} className="mt-2 flex flex-wrap items-center gap-2 text-sm">
          {attention.kind !== "failed" && (
            <p role="alert" className="min-w-0 break-words text-red-700 dark:text-red-300">
              <span className="font-medium">⚠ Needs attention: {ATTENTION_LABELS[attention.kind]}</span>
              {attention.reason && <span data-testid="attention-reason"> — {attention.reason}</span>}
            </p>
          )}
          {canRetry && !isWorking(status) && <RetryButton sessionId={session.id} kind={attention.kind} />}
        </div>
      )}
    </div>
  );
}

function CostMeter({ session, costUsd }: { session: SessionDto; costUsd: number }) {
  const u = session.usage;
  const cached = u.cacheReadTokens + u.cacheWriteTokens + u.inputTokens > 0 ? Math.round((100 * u.cacheReadTokens) / (u.cacheReadTokens + u.cacheWriteTokens + u.inputTokens)) : null;
  return (
    <span
      className="font-mono text-xs text-muted"
      data-testid="session-cost"
      data-cost-usd={costUsd}
      title={`Model cost so far${cached !== null ? ` (at page load ${cached}% of input tokens were read from the prompt cache)` : ""}`}
    >
      {formatUsd(costUsd)}
    </span>
  );
}
