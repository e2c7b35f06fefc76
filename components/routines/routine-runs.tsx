"use client";
// A routine's runs, newest first: what triggered each, when, how many scheduled runs it stood for
// (missed ones are not stacked), its session and where it stands, and a check's verdict.
import Link from "next/link";
import { SessionStatus } from "../../lib/events/schema";
import { RoutineRunsSchema, type RoutineRunDto } from "../../lib/protocol/routines";
import { timeAgo } from "../lib/format";
import { useApiData } from "../lib/use-api-data";
import { useNow } from "../lib/use-now";
import { StatusBadge } from "../status-badge";
import { ErrorNote } from "../ui/form";
import { localRunTime } from "./schedule";

const TRIGGER_WORDS: Record<RoutineRunDto["trigger"], string> = { schedule: "Scheduled", webhook: "Webhook", manual: "Run now" };

export function RoutineRuns({ routineId }: { routineId: string }) {
  const { data, error } = useApiData(`/api/routines/${encodeURIComponent(routineId)}/runs`, RoutineRunsSchema);
  if (error) return <ErrorNote testId="routine-runs-error">{error}</ErrorNote>;
  if (!data) return <p className="text-xs text-muted">Loading runs…</p>;
  if (data.runs.length === 0) {
    return (
      <p data-testid="routine-runs-empty" className="text-xs text-muted">
        No runs yet.
      </p>
    );
  }
  return (
    <ol data-testid="routine-runs" className="space-y-2">
      {data.runs.map((r) => (
        <RunRow key={r.id} run={r} />
      ))}
    </ol>
  );
}

export function RunRow({ run, compact = false }: { run: RoutineRunDto; compact?: boolean }) {
  const now = useNow();
  return (
    <li data-testid="routine-run" data-run-id={run.id} data-state={run.state} className={`space-y-1 text-xs ${compact ? "" : "border-l-2 border-line pl-2"}`}>
      <p className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <span className="font-medium">{TRIGGER_WORDS[run.trigger]}</span>
        <span className="text-muted" title={run.createdAt}>
          {localRunTime(run.createdAt)} ({timeAgo(run.createdAt, now)})
        </span>
        {run.missed > 0 && <span className="text-amber-800 dark:text-amber-300">{run.missed === 1 ? "1 missed run folded in" : `${run.missed} missed runs folded in`}</span>}
        {run.sessionId ? <SessionLink id={run.sessionId} status={run.sessionStatus} /> : <RunState state={run.state} />}
        {run.verdict && <VerdictBadge verdict={run.verdict} />}
      </p>
      {run.error && <p className="text-red-700 dark:text-red-300">{run.error}</p>}
      {run.text && <p className="break-words whitespace-pre-wrap text-muted">Webhook text: {run.text}</p>}
      {run.summary && (
        <p data-testid="routine-run-summary" className="break-words whitespace-pre-wrap">
          {run.summary}
        </p>
      )}
    </li>
  );
}

function SessionLink({ id, status }: { id: string; status: string | null }) {
  const parsed = SessionStatus.safeParse(status);
  return (
    <span className="inline-flex items-center gap-1">
      <Link href={`/sessions/${encodeURIComponent(id)}`} data-testid="routine-run-session" className="font-mono text-accent hover:underline">
        session {id.slice(0, 8)}
      </Link>
      {parsed.success && <StatusBadge status={parsed.data} />}
    </span>
  );
}

function RunState({ state }: { state: RoutineRunDto["state"] }) {
  const tone = state === "failed" ? "text-red-700 dark:text-red-300" : state === "skipped" ? "text-amber-800 dark:text-amber-300" : "text-muted";
  return <span className={`font-medium ${tone}`}>{state}</span>;
}

export function VerdictBadge({ verdict }: { verdict: "ok" | "attention" }) {
  const tone = verdict === "ok" ? "bg-emerald-500/15 text-emerald-800 dark:text-emerald-300" : "bg-amber-500/20 text-amber-800 dark:text-amber-300";
  return (
    <span data-testid="routine-verdict" data-verdict={verdict} className={`rounded-full px-2 py-0.5 text-xs font-medium ${tone}`}>
      {verdict === "ok" ? "ok" : "attention"}
    </span>
  );
}
