"use client";
// Creates a routine: a saved task on a repository with its triggers. The schedule is optional
// (a routine without one runs on its webhook or "Run now"); its zone defaults to the browser's.
import { useId, useState, type FormEvent } from "react";
import { z } from "zod";
import { PERMISSION_MODES, type PermissionMode } from "../../lib/protocol/permissions";
import type { RepositoryDto } from "../../lib/protocol/repos";
import { RoutineCreatedSchema, type RoutineCreate, type RoutineKind } from "../../lib/protocol/routines";
import { apiJson } from "../lib/api";
import { useApiData } from "../lib/use-api-data";
import { MODE_WORDS } from "../session/permission-lines";
import { ErrorNote, Field, inputClass, primaryButton, secondaryButton } from "../ui/form";
import { browserTimeZone, describeCron, timeZones } from "./schedule";

const ModelsSchema = z.object({ default: z.string(), models: z.array(z.object({ id: z.string(), label: z.string() })) });

const KIND_WORDS: Record<RoutineKind, string> = {
  task: "works on the repository like any session and leaves a branch to review",
  check: "evaluates (tests, audits) and ends with a verdict: ok, or attention with a summary, which raises an alert",
};

export type CreatedRoutine = z.infer<typeof RoutineCreatedSchema>;

export function NewRoutineForm({ repos, onCreated, onCancel }: { repos: RepositoryDto[]; onCreated: (r: CreatedRoutine) => void; onCancel: () => void }) {
  const id = useId();
  const models = useApiData("/api/models", ModelsSchema).data;
  const [picked, setPicked] = useState("");
  // The repositories may arrive after the form opened: the first one until a person picks.
  const repo = picked || (repos[0]?.id ?? "");
  const [name, setName] = useState("");
  const [prompt, setPrompt] = useState("");
  const [branch, setBranch] = useState("");
  const [kind, setKind] = useState<RoutineKind>("task");
  const [scheduled, setScheduled] = useState(false);
  const [cron, setCron] = useState("0 6 * * 1-5");
  const [tz, setTz] = useState(browserTimeZone);
  const [zones] = useState(timeZones);
  const [mode, setMode] = useState<PermissionMode | "">("");
  const [budget, setBudget] = useState("");
  const [model, setModel] = useState("");
  const [cap, setCap] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const words = scheduled ? describeCron(cron) : null;

  function body(): RoutineCreate | string {
    const b: RoutineCreate = { repo, prompt, kind };
    if (name.trim()) b.name = name.trim();
    if (branch.trim()) b.baseBranch = branch.trim();
    if (scheduled) b.schedule = { cron: cron.trim(), tz };
    if (mode) b.mode = mode;
    if (model) b.model = model;
    if (budget.trim()) {
      const usd = Number(budget.trim().replace(/^\$/, ""));
      if (!Number.isFinite(usd) || usd <= 0) return "budget: enter an amount in dollars above 0, or leave it empty for the team's default";
      b.budgetUsd = usd;
    }
    if (cap.trim()) {
      const n = Number(cap.trim());
      if (!Number.isInteger(n) || n < 1) return "daily cap: enter a whole number of runs (at least 1), or leave it empty for the default";
      b.dailyCap = n;
    }
    return b;
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const b = body();
    if (typeof b === "string") return setError(b);
    setBusy(true);
    setError(null);
    const res = await apiJson("/api/routines", RoutineCreatedSchema, { method: "POST", body: b });
    setBusy(false);
    if (!res.ok) return setError(res.message);
    onCreated(res.data);
  }

  if (repos.length === 0) {
    return (
      <p data-testid="routine-no-repos" className="rounded-lg border border-line bg-panel p-4 text-sm text-muted">
        A routine runs on a registered repository: an admin adds one in Settings → Repositories first.
      </p>
    );
  }
  const f = (s: string) => `${id}-${s}`;
  return (
    <form onSubmit={submit} aria-label="New routine" data-testid="routine-form" className="space-y-3 rounded-lg border border-line bg-panel p-4">
      <h2 className="text-sm font-semibold">New routine</h2>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Repository" htmlFor={f("repo")}>
          <select id={f("repo")} data-testid="routine-repo" className={inputClass} value={repo} onChange={(e) => setPicked(e.target.value)} required>
            {repos.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Name (optional)" htmlFor={f("name")}>
          <input id={f("name")} data-testid="routine-name" className={inputClass} value={name} onChange={(e) => setName(e.target.value)} maxLength={100}
            placeholder="Nightly test run" autoComplete="off" />
        </Field>
      </div>
      <Field label="Prompt: what the agent does each run" htmlFor={f("prompt")}>
        <textarea id={f("prompt")} data-testid="routine-prompt" className={`${inputClass} min-h-24`} value={prompt} onChange={(e) => setPrompt(e.target.value)} required
          placeholder="Run the test suite and tell me if anything regressed since yesterday." />
      </Field>
      <fieldset className="space-y-1 text-sm">
        <legend className="text-xs font-medium text-muted">Kind</legend>
        {(["task", "check"] as const).map((k) => (
          <label key={k} className="flex items-start gap-2">
            <input type="radio" name={f("kind")} className="mt-1" data-testid={`routine-kind-${k}`} checked={kind === k} onChange={() => setKind(k)} />
            <span>
              <span className="font-medium">{k === "task" ? "Task" : "Check"}:</span> <span className="text-muted">{KIND_WORDS[k]}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <fieldset className="space-y-2 text-sm">
        <legend className="sr-only">Schedule</legend>
        <label className="flex items-start gap-2">
          <input type="checkbox" className="mt-1" data-testid="routine-scheduled" checked={scheduled} onChange={(e) => setScheduled(e.target.checked)} />
          <span>
            Run on a schedule <span className="text-muted">(without one, it runs on its webhook or Run now)</span>
          </span>
        </label>
        {scheduled && (
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label="Cron: minute hour day month weekday" htmlFor={f("cron")}>
              <input id={f("cron")} data-testid="routine-cron" className={`${inputClass} font-mono`} value={cron} onChange={(e) => setCron(e.target.value)} required
                autoComplete="off" spellCheck={false} aria-describedby={f("cron-words")} />
              <p id={f("cron-words")} data-testid="routine-cron-words" className="text-xs text-muted">
                {words ?? "five fields, e.g. 0 6 * * 1-5 for weekdays at 06:00"}
              </p>
            </Field>
            <Field label="Time zone" htmlFor={f("tz")}>
              <select id={f("tz")} data-testid="routine-tz" className={inputClass} value={tz} onChange={(e) => setTz(e.target.value)}>
                {zones.map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </select>
            </Field>
          </div>
        )}
      </fieldset>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Base branch" htmlFor={f("branch")}>
          <input id={f("branch")} data-testid="routine-branch" className={inputClass} value={branch} onChange={(e) => setBranch(e.target.value)} placeholder="default branch"
            autoComplete="off" spellCheck={false} />
        </Field>
        <Field label="Model" htmlFor={f("model")}>
          <select id={f("model")} data-testid="routine-model" className={inputClass} value={model} onChange={(e) => setModel(e.target.value)}>
            <option value="">Default{models ? ` (${models.default})` : ""}</option>
            {models?.models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Permission mode" htmlFor={f("mode")}>
          <select id={f("mode")} data-testid="routine-mode" className={inputClass} value={mode} onChange={(e) => setMode(e.target.value as PermissionMode | "")}
            aria-describedby={f("mode-hint")}>
            <option value="">The repository&apos;s or team&apos;s default</option>
            {PERMISSION_MODES.map((m) => (
              <option key={m} value={m}>
                {m}: {MODE_WORDS[m].hint}
              </option>
            ))}
          </select>
          <p id={f("mode-hint")} className="text-xs text-muted">
            Nobody watches a run: in ask or plan mode it waits for a person at the first approval.
          </p>
        </Field>
        <div className="grid grid-cols-2 gap-3">
          <Field label="Budget (USD)" htmlFor={f("budget")}>
            <input id={f("budget")} data-testid="routine-budget" className={inputClass} value={budget} onChange={(e) => setBudget(e.target.value)} inputMode="decimal"
              placeholder="team default" autoComplete="off" />
          </Field>
          <Field label="Runs a day at most" htmlFor={f("cap")}>
            <input id={f("cap")} data-testid="routine-cap" className={inputClass} value={cap} onChange={(e) => setCap(e.target.value)} inputMode="numeric"
              placeholder="default" autoComplete="off" />
          </Field>
        </div>
      </div>
      {error && <ErrorNote testId="routine-form-error">{error}</ErrorNote>}
      <div className="flex flex-wrap gap-2">
        <button type="submit" data-testid="routine-create" disabled={busy || !repo || !prompt.trim()} className={primaryButton}>
          {busy ? "Creating…" : "Create routine"}
        </button>
        <button type="button" onClick={onCancel} className={secondaryButton}>
          Cancel
        </button>
      </div>
    </form>
  );
}
