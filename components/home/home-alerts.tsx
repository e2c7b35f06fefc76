"use client";
// The team's open alerts on the home page (stuck, looping, budget, memory, disk, a check
// routine's verdict), each with where to look and, for admins, "Resolve".
import Link from "next/link";
import { useState } from "react";
import type { AlertDto, AlertKind } from "../../lib/protocol/alerts";
import { TimeAgo } from "../ui/time-ago";
import { send } from "../lib/use-api-data";

const KIND: Record<AlertKind, { label: string; style: string }> = {
  stuck: { label: "Stuck", style: "bg-amber-500/20 text-amber-800 dark:text-amber-300" },
  looping: { label: "Looping", style: "bg-amber-500/20 text-amber-800 dark:text-amber-300" },
  budget: { label: "Budget", style: "bg-orange-500/15 text-orange-700 dark:text-orange-300" },
  memory: { label: "Memory", style: "bg-red-500/15 text-red-700 dark:text-red-300" },
  disk: { label: "Disk", style: "bg-red-500/15 text-red-700 dark:text-red-300" },
  check: { label: "Check", style: "bg-violet-500/15 text-violet-700 dark:text-violet-300" },
};

interface Props {
  alerts: AlertDto[];
  now: number;
  mayResolve: boolean;
  /** After a resolve: the summary loads again. */
  onChange: () => Promise<void>;
}

export function HomeAlerts({ alerts, now, mayResolve, onChange }: Props) {
  const [resolving, setResolving] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function resolve(id: string) {
    setResolving(id);
    const failed = await send(`/api/alerts/${encodeURIComponent(id)}/resolve`, "POST");
    setError(failed);
    await onChange();
    setResolving(null);
  }

  return (
    <section aria-labelledby="home-alerts-heading" data-testid="home-section-alerts" data-total={alerts.length} className="flex min-w-0 flex-col rounded-lg border border-amber-500/50 bg-panel">
      <h3 id="home-alerts-heading" className="flex items-center gap-2 border-b border-line px-3 py-2 text-sm font-semibold">
        Alerts
        <span className="rounded-full bg-sunken px-2 text-xs font-medium text-muted">{alerts.length}</span>
      </h3>
      {error && (
        <p role="alert" data-testid="home-alerts-error" className="px-3 pt-2 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      <ul className="flex flex-col divide-y divide-line">
        {alerts.map((a) => (
          <AlertItem key={a.id} a={a} now={now} busy={resolving === a.id} onResolve={mayResolve ? () => void resolve(a.id) : undefined} />
        ))}
      </ul>
    </section>
  );
}

function AlertItem({ a, now, busy, onResolve }: { a: AlertDto; now: number; busy: boolean; onResolve?: () => void }) {
  const kind = KIND[a.kind];
  const href = a.sessionId ? `/sessions/${encodeURIComponent(a.sessionId)}` : a.routineId ? "/routines" : null;
  return (
    <li data-testid="attention-alert" className="flex min-w-0 flex-col gap-1 px-3 py-2.5 text-sm">
      <span className="flex items-center gap-2">
        <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${kind.style}`}>{kind.label}</span>
        <TimeAgo iso={a.createdAt} now={now} className="ml-auto shrink-0 text-xs text-muted" />
      </span>
      <span className="font-medium break-words" data-testid="attention-title">
        {a.title}
      </span>
      <span className="text-xs break-words text-muted" data-testid="attention-message">
        {a.message}
      </span>
      <span className="flex flex-wrap items-center gap-3 text-xs">
        {href && (
          <Link href={href} className="py-1 text-accent hover:underline">
            {a.sessionId ? "Open session" : "Open routines"}
          </Link>
        )}
        {onResolve && (
          <button type="button" data-testid="attention-resolve" disabled={busy} onClick={onResolve} className="ml-auto rounded-md border border-line px-3 py-1.5 hover:bg-sunken disabled:opacity-50">
            {busy ? "Resolving…" : "Resolve"}
          </button>
        )}
      </span>
    </li>
  );
}
