"use client";
// One routine: what it runs where, when it runs next (in the viewer's own time), how its last
// run went; for members the switch that pauses it, "Run now" (opens the new session), its runs,
// a new webhook token and delete (both confirmed: the old token and the routine stop working).
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { z } from "zod";
import { formatUsd } from "../../lib/protocol/money";
import { RoutineDtoSchema, RoutineFiredSchema, type RoutineDto } from "../../lib/protocol/routines";
import { ConfirmDialog } from "../confirm-dialog";
import { apiJson } from "../lib/api";
import { repoLabel } from "../lib/format";
import { ErrorNote, primaryButton } from "../ui/form";
import { RoutineRuns, RunRow } from "./routine-runs";
import { describeCron, localRunTime } from "./schedule";

const TokenSchema = z.object({ token: z.string() });
type Confirm = "delete" | "rotate" | null;

interface Props {
  routine: RoutineDto;
  canManage: boolean;
  onChanged: () => void;
  onToken: (token: string) => void;
}

export function RoutineCard({ routine: r, canManage, onChanged, onToken }: Props) {
  const router = useRouter();
  const runsId = useId();
  const path = `/api/routines/${encodeURIComponent(r.id)}`;
  const [runs, setRuns] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<Confirm>(null);

  async function act(work: () => Promise<string | null>) {
    setBusy(true);
    setError(null);
    const failure = await work();
    setBusy(false);
    setError(failure);
  }

  const toggle = () =>
    act(async () => {
      const res = await apiJson(path, RoutineDtoSchema, { method: "PATCH", body: { enabled: !r.enabled } });
      if (!res.ok) return res.message;
      onChanged();
      return null;
    });

  const runNow = () =>
    act(async () => {
      const res = await apiJson(`${path}/run`, RoutineFiredSchema, { method: "POST", body: {} });
      if (!res.ok) return res.message;
      if (!res.data.sessionId) return res.data.error ?? `The run was ${res.data.state}.`;
      router.push(`/sessions/${encodeURIComponent(res.data.sessionId)}`);
      return null;
    });

  const confirmed = (what: Exclude<Confirm, null>) => {
    setConfirm(null);
    void act(async () => {
      if (what === "rotate") {
        const res = await apiJson(`${path}/token`, TokenSchema, { method: "POST" });
        if (!res.ok) return res.message;
        onToken(res.data.token);
        return null;
      }
      const res = await apiJson(path, null, { method: "DELETE" });
      if (!res.ok) return res.message;
      onChanged();
      return null;
    });
  };

  return (
    <li id={`routine-${r.id}`} data-testid="routine-card" data-routine-id={r.id} data-enabled={r.enabled} className="scroll-mt-4 space-y-2 rounded-lg border border-line bg-panel p-3 text-sm">
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <h3 data-testid="routine-name" className="min-w-0 font-semibold break-words">
          {r.name}
        </h3>
        <KindBadge kind={r.kind} />
        {!r.enabled && <span className="text-xs text-muted">paused</span>}
        <span className="ml-auto">
          <EnabledSwitch enabled={r.enabled} disabled={!canManage || busy} onToggle={() => void toggle()} />
        </span>
      </div>
      <p className="flex flex-wrap gap-x-2 text-xs text-muted">
        <span title={r.repo} data-testid="routine-repo-label" className="font-medium text-fg">
          {repoLabel(r.repo)}
        </span>
        {r.baseBranch && <span className="font-mono">{r.baseBranch}</span>}
        {r.model && <span>{r.model}</span>}
        {r.mode && <span>{r.mode} mode</span>}
        {r.budgetUsd !== null && <span>budget {formatUsd(r.budgetUsd)}</span>}
        <span>at most {r.dailyCap} runs a day</span>
      </p>
      <Schedule routine={r} />
      <details className="text-xs">
        <summary className="cursor-pointer text-muted">Prompt</summary>
        <p data-testid="routine-prompt-text" className="mt-1 break-words whitespace-pre-wrap">
          {r.prompt}
        </p>
      </details>
      <div className="text-xs" data-testid="routine-last-run">
        {r.lastRun ? (
          <>
            <p className="font-medium text-muted">Last run</p>
            <ul>
              <RunRow run={r.lastRun} compact />
            </ul>
          </>
        ) : (
          <p className="text-muted">Not run yet.</p>
        )}
      </div>
      {error && <ErrorNote testId="routine-error">{error}</ErrorNote>}
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        {canManage && (
          <button type="button" data-testid="routine-run-now" disabled={busy} onClick={() => void runNow()} className={primaryButton}>
            Run now
          </button>
        )}
        <button type="button" data-testid="routine-runs-toggle" aria-expanded={runs} aria-controls={runsId} onClick={() => setRuns(!runs)} className="text-accent hover:underline">
          {runs ? "Hide runs" : "Runs"}
        </button>
        {canManage && (
          <>
            <button type="button" data-testid="routine-rotate" disabled={busy} onClick={() => setConfirm("rotate")} className="text-accent hover:underline disabled:opacity-50">
              New webhook token
            </button>
            <button type="button" data-testid="routine-delete" disabled={busy} onClick={() => setConfirm("delete")} className="text-red-700 hover:underline disabled:opacity-50 dark:text-red-300">
              Delete
            </button>
          </>
        )}
      </div>
      <div id={runsId} hidden={!runs}>
        {runs && <RoutineRuns routineId={r.id} />}
      </div>
      {confirm === "rotate" && (
        <ConfirmDialog title="New webhook token" confirmLabel="Make a new token" onCancel={() => setConfirm(null)} onConfirm={() => confirmed("rotate")}
          message={`${r.name} gets a new webhook token, shown once. The current token stops working at once: callers that use it get 401 until they have the new one.`} />
      )}
      {confirm === "delete" && (
        <ConfirmDialog title="Delete routine" tone="danger" confirmLabel="Delete routine" onCancel={() => setConfirm(null)} onConfirm={() => confirmed("delete")}
          message={`${r.name} stops running: no more scheduled runs, and its webhook token stops working. The sessions it ran stay in the history.`} />
      )}
    </li>
  );
}

function Schedule({ routine: r }: { routine: RoutineDto }) {
  if (!r.schedule) {
    return <p className="text-xs text-muted" data-testid="routine-schedule">No schedule: runs on its webhook or Run now.</p>;
  }
  const words = describeCron(r.schedule.cron);
  return (
    <div className="space-y-1 text-xs" data-testid="routine-schedule">
      <p>
        <code className="font-mono">{r.schedule.cron}</code> · {r.schedule.tz}
        {words && <span className="text-muted"> ({words})</span>}
      </p>
      {r.enabled && r.nextRuns.length > 0 && (
        <p className="text-muted" data-testid="routine-next-runs">
          Next, your time: {r.nextRuns.slice(0, 3).map((t) => localRunTime(t)).join(" · ")}
        </p>
      )}
    </div>
  );
}

export function KindBadge({ kind }: { kind: RoutineDto["kind"] }) {
  const tone = kind === "check" ? "bg-violet-500/15 text-violet-700 dark:text-violet-300" : "bg-sky-500/15 text-sky-700 dark:text-sky-300";
  return (
    <span data-testid="routine-kind" data-kind={kind} className={`rounded-full px-2 py-0.5 text-xs font-medium ${tone}`}>
      {kind}
    </span>
  );
}

function EnabledSwitch({ enabled, disabled, onToggle }: { enabled: boolean; disabled: boolean; onToggle: () => void }) {
  return (
    <button type="button" role="switch" aria-checked={enabled} aria-label="Enabled" data-testid="routine-enabled" disabled={disabled} onClick={onToggle}
      className="flex items-center gap-2 text-xs text-muted disabled:cursor-not-allowed disabled:opacity-60">
      <span aria-hidden className={`relative h-4 w-7 rounded-full transition-colors motion-reduce:transition-none ${enabled ? "bg-emerald-600" : "bg-zinc-400"}`}>
        <span className={`absolute top-0.5 size-3 rounded-full bg-white transition-all motion-reduce:transition-none ${enabled ? "left-3.5" : "left-0.5"}`} />
      </span>
      {enabled ? "on" : "off"}
    </button>
  );
}
