"use client";
// "Needs attention" on the home page: the team's open alerts (stuck, looping, budget, memory,
// disk, a check routine's verdict) and the sessions waiting for a person's decision. Shown only
// when there is something; refreshed when a notification arrives and every 30 s.
import Link from "next/link";
import { useCallback, useEffect, useState, type ReactNode } from "react";
import { z } from "zod";
import { can } from "../lib/auth/roles";
import { SessionStatus } from "../lib/events/status";
import { AlertListSchema, type AlertDto, type AlertKind } from "../lib/protocol/alerts";
import { timeAgo } from "./lib/format";
import { getSocket } from "./lib/socket";
import { send, useApiData } from "./lib/use-api-data";
import { useNow } from "./lib/use-now";
import { useActiveTeam } from "./me-provider";

const REFRESH_MS = 30_000;
const WAITING_URL = "/api/sessions?status=awaiting_approval&limit=20";

/** The fields of a waiting session the card shows (the list answers more). */
const WaitingSchema = z.object({
  sessions: z.array(z.object({ id: z.string(), prompt: z.string(), repo: z.string(), status: SessionStatus, updatedAt: z.string() })),
});
type Waiting = z.infer<typeof WaitingSchema>["sessions"][number];

const KIND: Record<AlertKind, { label: string; style: string }> = {
  stuck: { label: "Stuck", style: "bg-amber-500/20 text-amber-800 dark:text-amber-300" },
  looping: { label: "Looping", style: "bg-amber-500/20 text-amber-800 dark:text-amber-300" },
  budget: { label: "Budget", style: "bg-orange-500/15 text-orange-700 dark:text-orange-300" },
  memory: { label: "Memory", style: "bg-red-500/15 text-red-700 dark:text-red-300" },
  disk: { label: "Disk", style: "bg-red-500/15 text-red-700 dark:text-red-300" },
  check: { label: "Check", style: "bg-violet-500/15 text-violet-700 dark:text-violet-300" },
};

const firstLine = (s: string) => s.trim().split("\n")[0]?.trim() || "untitled session";
const repoName = (repo: string) => repo.replace(/\.git$/, "").split("/").filter(Boolean).at(-1) ?? repo;

export function NeedsAttention() {
  const active = useActiveTeam();
  const alerts = useApiData(active ? "/api/alerts" : null, AlertListSchema);
  const waiting = useApiData(active ? WAITING_URL : null, WaitingSchema);
  const [resolving, setResolving] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const now = useNow();
  const { reload: reloadAlerts } = alerts;
  const { reload: reloadWaiting } = waiting;
  const reload = useCallback(() => {
    void reloadAlerts();
    void reloadWaiting();
  }, [reloadAlerts, reloadWaiting]);

  useEffect(() => {
    if (!active) return;
    // Alerts and approvals reach people as notifications: one arriving is the moment to look again.
    const socket = getSocket();
    socket.on("notification", reload);
    socket.on("connect", reload);
    const timer = setInterval(reload, REFRESH_MS);
    return () => {
      socket.off("notification", reload);
      socket.off("connect", reload);
      clearInterval(timer);
    };
  }, [active, reload]);

  if (!active) return null;
  const open = alerts.data?.alerts ?? [];
  const sessions = waiting.data?.sessions ?? [];
  if (!open.length && !sessions.length) return null;
  const mayResolve = can(active.team.role, "alert.resolve");

  async function resolve(id: string) {
    setResolving(id);
    const failed = await send(`/api/alerts/${encodeURIComponent(id)}/resolve`, "POST");
    setResolving(null);
    setError(failed);
    await reloadAlerts();
  }

  return (
    // First in the home page's scrolling column (HistoryView's `top`).
    <div>
      <section aria-labelledby="attention-heading" data-testid="needs-attention" className="rounded-lg border border-amber-500/40 bg-panel">
        <h2 id="attention-heading" className="flex items-center gap-2 border-b border-line px-4 py-2.5 text-sm font-semibold">
          Needs attention
          <span className="rounded-full bg-amber-500/20 px-2 text-xs text-amber-800 dark:text-amber-300" data-testid="needs-attention-count">
            {open.length + sessions.length}
          </span>
        </h2>
        {error && (
          <p role="alert" data-testid="needs-attention-error" className="px-4 pt-2 text-sm text-red-600 dark:text-red-400">
            {error}
          </p>
        )}
        <ul className="grid gap-2 p-3 sm:grid-cols-2">
          {sessions.map((s) => (
            <WaitingCard key={`s-${s.id}`} s={s} now={now} />
          ))}
          {open.map((a) => (
            <AlertCard key={a.id} a={a} now={now} busy={resolving === a.id} onResolve={mayResolve ? () => void resolve(a.id) : undefined} />
          ))}
        </ul>
      </section>
    </div>
  );
}

function Card({ testId, children }: { testId: string; children: ReactNode }) {
  return (
    <li data-testid={testId} className="flex min-w-0 flex-col gap-1 rounded-md border border-line p-3 text-sm">
      {children}
    </li>
  );
}

function Head({ label, style, at, now }: { label: string; style: string; at: string; now: number }) {
  return (
    <span className="flex items-center gap-2">
      <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${style}`}>{label}</span>
      <time dateTime={at} title={new Date(at).toLocaleString()} className="ml-auto shrink-0 text-xs text-muted">
        {timeAgo(at, now)}
      </time>
    </span>
  );
}

function AlertCard({ a, now, busy, onResolve }: { a: AlertDto; now: number; busy: boolean; onResolve?: () => void }) {
  const kind = KIND[a.kind];
  const href = a.sessionId ? `/sessions/${encodeURIComponent(a.sessionId)}` : a.routineId ? "/routines" : null;
  return (
    <Card testId="attention-alert">
      <Head label={kind.label} style={kind.style} at={a.createdAt} now={now} />
      <span className="font-medium break-words" data-testid="attention-title">
        {a.title}
      </span>
      <span className="text-xs break-words text-muted" data-testid="attention-message">
        {a.message}
      </span>
      <span className="mt-1 flex flex-wrap items-center gap-3 text-xs">
        {href && (
          <Link href={href} className="text-accent hover:underline">
            {a.sessionId ? "Open session" : "Open routines"}
          </Link>
        )}
        {onResolve && (
          <button type="button" data-testid="attention-resolve" disabled={busy} onClick={onResolve} className="ml-auto rounded-md border border-line px-2 py-1 hover:bg-sunken disabled:opacity-50">
            {busy ? "Resolving…" : "Resolve"}
          </button>
        )}
      </span>
    </Card>
  );
}

function WaitingCard({ s, now }: { s: Waiting; now: number }) {
  return (
    <Card testId="attention-waiting">
      <Head label="Needs approval" style="bg-amber-500/20 text-amber-800 dark:text-amber-300" at={s.updatedAt} now={now} />
      <span className="font-medium break-words">{firstLine(s.prompt)}</span>
      <span className="truncate text-xs text-muted" title={s.repo}>
        {repoName(s.repo)}
      </span>
      <Link href={`/sessions/${encodeURIComponent(s.id)}`} className="mt-1 text-xs text-accent hover:underline">
        Decide in the session
      </Link>
    </Card>
  );
}
