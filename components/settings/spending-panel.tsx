"use client";
// Settings → Spending and instructions: what the team spent this month, the budget new sessions
// get, the monthly cap the gateway enforces, and the team's own instructions to the agent. Everyone
// sees them; admins and owners change them.
import { useEffect, useState, type FormEvent } from "react";
import { can } from "../../lib/auth/roles";
import { formatUsd } from "../../lib/protocol/money";
import { TEAM_INSTRUCTIONS_MAX, TeamDetailDtoSchema, type TeamDetailDto, type TeamDto } from "../../lib/protocol/teams";
import { apiJson } from "../lib/api";
import { ErrorNote, Field, inputClass, Panel, primaryButton } from "../ui/form";

const usdText = (v: number | null) => (v === null ? "" : String(v));

/** "" → null (none); otherwise a positive amount, or an error message. */
function parseUsd(text: string, what: string): number | null | string {
  const t = text.trim().replace(/^\$/, "");
  if (!t) return null;
  const n = Number(t);
  return Number.isFinite(n) && n > 0 ? n : `${what}: enter an amount in dollars above 0, or leave it empty for none`;
}

export function SpendingPanel({ team }: { team: TeamDto }) {
  const editable = can(team.role, "settings.manage");
  const [detail, setDetail] = useState<TeamDetailDto | null>(null);
  const [form, setForm] = useState({ defaultBudget: "", cap: "", instructions: "" });
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);

  function show(d: TeamDetailDto) {
    setDetail(d);
    setForm({ defaultBudget: usdText(d.defaultBudgetUsd), cap: usdText(d.monthlyCapUsd), instructions: d.instructions });
  }
  useEffect(() => {
    void apiJson(`/api/teams/${encodeURIComponent(team.id)}`, TeamDetailDtoSchema).then((res) => (res.ok ? show(res.data) : setNote({ ok: false, text: res.message })));
  }, [team.id]);

  async function save(e: FormEvent) {
    e.preventDefault();
    const defaultBudgetUsd = parseUsd(form.defaultBudget, "default session budget");
    const monthlyCapUsd = parseUsd(form.cap, "monthly cap");
    const bad = [defaultBudgetUsd, monthlyCapUsd].find((v) => typeof v === "string");
    if (typeof bad === "string") return setNote({ ok: false, text: bad });
    setBusy(true);
    setNote(null);
    const res = await apiJson(`/api/teams/${encodeURIComponent(team.id)}`, TeamDetailDtoSchema, {
      method: "PATCH",
      body: { defaultBudgetUsd, monthlyCapUsd, instructions: form.instructions },
    });
    setBusy(false);
    if (!res.ok) return setNote({ ok: false, text: res.message });
    show(res.data);
    setNote({ ok: true, text: "Saved." });
  }

  const month = new Date().toLocaleString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });
  return (
    <Panel title="Spending and instructions" testId="spending-panel">
      {detail && (
        <p className="text-sm">
          Spent in {month} (UTC): <span data-testid="team-month-cost" className="font-mono font-medium">{formatUsd(detail.monthCostUsd)}</span>
          {detail.monthlyCapUsd !== null && <span className="text-muted"> of a {formatUsd(detail.monthlyCapUsd)} cap</span>}
        </p>
      )}
      <form onSubmit={save} aria-label="Spending settings" className="space-y-3">
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label="Default budget per session, USD" htmlFor="default-budget">
            <input id="default-budget" data-testid="default-budget-input" className={inputClass} inputMode="decimal" placeholder="none"
              value={form.defaultBudget} disabled={!editable} onChange={(e) => setForm({ ...form, defaultBudget: e.target.value })} />
          </Field>
          <Field label="Monthly cap for the team, USD" htmlFor="monthly-cap">
            <input id="monthly-cap" data-testid="monthly-cap-input" className={inputClass} inputMode="decimal" placeholder="none"
              value={form.cap} disabled={!editable} onChange={(e) => setForm({ ...form, cap: e.target.value })} />
          </Field>
        </div>
        <p className="text-xs text-muted">When a session&apos;s budget or the team&apos;s cap is reached, the model call in flight finishes and the agent stops until someone raises it.</p>
        <Field label="Team instructions for the agent" htmlFor="team-instructions">
          <textarea id="team-instructions" data-testid="team-instructions-input" className={`${inputClass} min-h-24 resize-y font-mono text-xs`}
            value={form.instructions} disabled={!editable} maxLength={TEAM_INSTRUCTIONS_MAX}
            placeholder="Conventions every session of this team should follow (sent with every model call)"
            onChange={(e) => setForm({ ...form, instructions: e.target.value })} />
        </Field>
        <p className="text-xs text-muted">{form.instructions.length.toLocaleString("en-US")} of {TEAM_INSTRUCTIONS_MAX.toLocaleString("en-US")} characters; new sessions and restarted sandboxes get the change.</p>
        {editable ? (
          <div className="flex items-center gap-3">
            <button type="submit" data-testid="save-spending" disabled={busy || !detail} className={primaryButton}>{busy ? "Saving…" : "Save"}</button>
            {note?.ok && <span data-testid="spending-saved" className="text-sm text-emerald-800 dark:text-emerald-400">{note.text}</span>}
          </div>
        ) : (
          <p className="text-xs text-muted">Only admins and owners can change these settings.</p>
        )}
        {note && !note.ok && <ErrorNote testId="spending-error">{note.text}</ErrorNote>}
      </form>
    </Panel>
  );
}
