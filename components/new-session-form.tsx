"use client";
// Starts a session. On an API error the message shows inline and the input stays as typed.
// The repository field offers the team's registered repositories; admins may type a new one
// (starting a session registers it), members are told to ask an admin.
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { can } from "../lib/auth/roles";
import { SessionDtoSchema, type CreateSessionInput } from "../lib/protocol/api";
import { PERMISSION_MODES, type PermissionMode } from "../lib/protocol/permissions";
import { RepositoryListSchema, type RepositoryDto } from "../lib/protocol/repos";
import { MODE_WORDS } from "./session/permission-lines";
import { apiJson } from "./lib/api";
import { useApiList } from "./lib/use-api-list";
import { useActiveTeam } from "./me-provider";
import { useSubmit } from "./lib/use-submit";
import { Field, inputClass } from "./ui/form";

export function NewSessionForm() {
  const router = useRouter();
  const [repo, setRepo] = useState("");
  const [branch, setBranch] = useState("");
  const [model, setModel] = useState("");
  const [prompt, setPrompt] = useState("");
  const [budget, setBudget] = useState("");
  const [thinking, setThinking] = useState("");
  const [mode, setMode] = useState<PermissionMode | "">("");
  const { busy, error, run } = useSubmit();
  const { items: repos } = useApiList("/api/repos", RepositoryListSchema, pickRepos);
  const role = useActiveTeam()?.team.role;
  const mayRegister = role ? can(role, "repo.manage") : false;
  const chosenRepo = (repos ?? []).find((r) => r.source === repo.trim());
  const defaultHint = chosenRepo?.defaultMode ? `the repository's default: ${chosenRepo.defaultMode}` : "the repository's or team's default";

  function submit(e: FormEvent) {
    e.preventDefault();
    void run(async () => {
      const body: CreateSessionInput = { repo: repo.trim(), prompt };
      if (branch.trim()) body.baseBranch = branch.trim();
      if (model.trim()) body.model = model.trim();
      if (mode) body.mode = mode;
      if (budget.trim()) {
        const usd = Number(budget.trim().replace(/^\$/, ""));
        if (!Number.isFinite(usd) || usd <= 0) return "budget: enter an amount in dollars above 0, or leave it empty for the team's default";
        body.budgetUsd = usd;
      }
      if (thinking.trim()) {
        const tokens = Number(thinking.trim());
        if (!Number.isInteger(tokens)) return "thinking budget: enter a whole number of tokens (at least 1024), or leave it empty for no extended thinking";
        body.thinkingBudget = tokens;
      }
      const res = await apiJson("/api/sessions", SessionDtoSchema, { method: "POST", body });
      if (!res.ok) return res.message;
      router.push(`/sessions/${encodeURIComponent(res.data.id)}`);
    });
  }

  return (
    <form
      data-testid="new-session-form"
      onSubmit={submit}
      aria-label="New session"
      className="space-y-3 rounded-lg border border-line bg-panel p-4"
    >
      <h2 className="text-sm font-semibold">New session</h2>
      <div className="grid gap-3 sm:grid-cols-[2fr_1fr_1fr]">
        <Field label="Repository" htmlFor="repo">
          <input
            id="repo"
            data-testid="repo-input"
            className={inputClass}
            value={repo}
            onChange={(e) => setRepo(e.target.value)}
            placeholder={mayRegister ? "a registered repository, or a new https URL or path" : "one of your team's repositories"}
            list="registered-repos"
            required
            autoComplete="off"
            spellCheck={false}
          />
          <datalist id="registered-repos" data-testid="registered-repos">
            {(repos ?? []).map((r) => (
              <option key={r.id} value={r.source}>
                {r.name}
              </option>
            ))}
          </datalist>
        </Field>
        <Field label="Base branch" htmlFor="branch">
          <input
            id="branch"
            data-testid="branch-input"
            className={inputClass}
            value={branch}
            onChange={(e) => setBranch(e.target.value)}
            placeholder="default branch"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
        <Field label="Model" htmlFor="model">
          <input
            id="model"
            data-testid="model-input"
            className={inputClass}
            value={model}
            onChange={(e) => setModel(e.target.value)}
            placeholder="default model"
            autoComplete="off"
            spellCheck={false}
          />
        </Field>
      </div>
      <div className="grid gap-3 sm:grid-cols-3">
        <Field label="Permission mode" htmlFor="mode">
          <select id="mode" data-testid="mode-select" className={inputClass} value={mode} aria-describedby="mode-hint"
            onChange={(e) => setMode(e.target.value as PermissionMode | "")}>
            <option value="">Default ({defaultHint.replace(/^the /, "")})</option>
            {PERMISSION_MODES.map((m) => (
              <option key={m} value={m}>
                {m}: {MODE_WORDS[m].hint}
              </option>
            ))}
          </select>
          <p id="mode-hint" data-testid="mode-hint" className="text-xs text-muted">
            {mode ? `${mode}: ${MODE_WORDS[mode].hint}` : `Uses ${defaultHint}.`}
          </p>
        </Field>
        <Field label="Budget in USD (optional)" htmlFor="budget">
          <input id="budget" data-testid="budget-input" className={inputClass} value={budget} inputMode="decimal"
            onChange={(e) => setBudget(e.target.value)} placeholder="team default" autoComplete="off" />
        </Field>
        <Field label="Extended thinking budget in tokens (optional)" htmlFor="thinking">
          <input id="thinking" data-testid="thinking-input" className={inputClass} value={thinking} inputMode="numeric"
            onChange={(e) => setThinking(e.target.value)} placeholder="off" autoComplete="off" />
        </Field>
      </div>
      <Field label="Task" htmlFor="prompt">
        <textarea
          id="prompt"
          data-testid="prompt-input"
          className={`${inputClass} min-h-24 resize-y`}
          value={prompt}
          onChange={(e) => setPrompt(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) e.currentTarget.form?.requestSubmit();
          }}
          placeholder="What should the agent do?"
          required
        />
      </Field>
      <div className="flex items-start gap-3">
        <button
          type="submit"
          data-testid="create-session"
          disabled={busy}
          className="rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-white hover:opacity-90 disabled:opacity-50"
        >
          {busy ? "Starting…" : "Start session"}
        </button>
        {error && (
          <p role="alert" data-testid="form-error" className="pt-1.5 text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
      </div>
    </form>
  );
}

const pickRepos = (d: { repositories: RepositoryDto[] }) => d.repositories;
