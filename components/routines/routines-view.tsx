"use client";
// The Routines page: the team's saved tasks that run on a schedule, a webhook or "Run now", each
// run an ordinary session in the same history. Members create them; a new routine's webhook token
// is shown once, with the call that fires it.
import { useState } from "react";
import { can } from "../../lib/auth/roles";
import { RoutineListSchema } from "../../lib/protocol/routines";
import { useApiData } from "../lib/use-api-data";
import { useActiveTeam } from "../me-provider";
import { useRepositories, useScrollToHash } from "../memory/use-memory";
import { ErrorNote, primaryButton } from "../ui/form";
import { NewRoutineForm, type CreatedRoutine } from "./new-routine-form";
import { RoutineCard } from "./routine-card";
import { TokenReveal } from "./token-reveal";

export function RoutinesView() {
  const active = useActiveTeam();
  const canManage = active !== null && can(active.team.role, "routine.manage");
  const { data, error, reload } = useApiData("/api/routines", RoutineListSchema);
  const repos = useRepositories();
  const [creating, setCreating] = useState(false);
  const [token, setToken] = useState<{ id: string; name: string; token: string } | null>(null);
  useScrollToHash(data !== null);

  function created(r: CreatedRoutine) {
    setCreating(false);
    setToken({ id: r.id, name: r.name, token: r.token });
    void reload();
  }

  if (!active) return null;
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto max-w-4xl space-y-6 px-4 py-6">
        <header className="flex flex-wrap items-start gap-3">
          <div className="min-w-0 flex-1 basis-64 space-y-1">
            <h1 className="text-base font-semibold">Routines</h1>
            <p className="text-sm text-muted">
              Agents that work while nobody watches: a saved task on a repository that runs on a schedule, when a webhook fires (a CI failure, say)
              or on Run now. Every run is an ordinary session, marked with its routine, in the same history.
            </p>
          </div>
          {canManage && !creating && (
            <button type="button" data-testid="routine-new" onClick={() => setCreating(true)} className={primaryButton}>
              New routine
            </button>
          )}
        </header>
        {creating && <NewRoutineForm repos={repos} onCreated={created} onCancel={() => setCreating(false)} />}
        {token && <TokenReveal name={token.name} routineId={token.id} token={token.token} onDone={() => setToken(null)} />}
        {error && <ErrorNote testId="routines-error">{error}</ErrorNote>}
        {!data && !error && <p className="text-sm text-muted">Loading…</p>}
        {data && data.routines.length === 0 && (
          <div data-testid="routines-empty" className="space-y-2 rounded-lg border border-line bg-panel p-4 text-sm text-muted">
            <p className="font-medium text-fg">No routines yet.</p>
            <p>
              A routine can be a task (&ldquo;update the dependencies every Monday&rdquo;) or a check (&ldquo;run the test suite and tell me if anything
              regressed&rdquo;): a check ends with a verdict, and only &ldquo;attention&rdquo; raises an alert.
              {canManage ? " Create one with New routine." : " Members create them."}
            </p>
          </div>
        )}
        {data && data.routines.length > 0 && (
          <ul data-testid="routines-list" className="space-y-3">
            {data.routines.map((r) => (
              <RoutineCard key={r.id} routine={r} canManage={canManage} onChanged={() => void reload()}
                onToken={(t) => setToken({ id: r.id, name: r.name, token: t })} />
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
