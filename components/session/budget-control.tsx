"use client";
// The session's budget beside its cost meter: what the gateway lets it spend. Whoever may message
// the session may change it; a raise lets the next follow-up continue after "budget reached".
import { useState, type FormEvent } from "react";
import { formatUsd } from "../../lib/protocol/money";
import { SessionDtoSchema, type SessionDto } from "../../lib/protocol/api";
import { apiJson } from "../lib/api";
import { ErrorNote, inputClass, primaryButton, secondaryButton } from "../ui/form";

export function BudgetControl({ session, canEdit }: { session: SessionDto; canEdit: boolean }) {
  const [budget, setBudget] = useState(session.budgetUsd);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function save(e: FormEvent) {
    e.preventDefault();
    const value = draft.trim() === "" ? null : Number(draft);
    if (value !== null && !(value > 0)) return setError("enter an amount in dollars above 0, or leave it empty for no budget");
    setBusy(true);
    setError(null);
    const res = await apiJson(`/api/sessions/${encodeURIComponent(session.id)}`, SessionDtoSchema, { method: "PATCH", body: { budgetUsd: value } });
    setBusy(false);
    if (!res.ok) return setError(res.message);
    setBudget(res.data.budgetUsd);
    setEditing(false);
  }

  if (!editing) {
    return (
      <span className="flex items-center gap-1 text-xs text-muted">
        <span data-testid="session-budget">{budget === null ? "no budget" : `budget ${formatUsd(budget)}`}</span>
        {canEdit && (
          <button type="button" data-testid="budget-edit" className="text-accent hover:underline"
            onClick={() => { setDraft(budget === null ? "" : String(budget)); setEditing(true); }}>
            change
          </button>
        )}
      </span>
    );
  }
  return (
    <form onSubmit={save} aria-label="Session budget" className="flex items-center gap-1 text-xs">
      <label htmlFor="budget-input" className="text-muted">Budget $</label>
      <input id="budget-input" data-testid="budget-change-input" className={`${inputClass} w-24 py-1 text-xs`} inputMode="decimal" value={draft}
        placeholder="none" onChange={(e) => setDraft(e.target.value)} autoFocus />
      <button type="submit" data-testid="budget-save" disabled={busy} className={`${primaryButton} py-1 text-xs`}>{busy ? "Saving…" : "Save"}</button>
      <button type="button" onClick={() => setEditing(false)} className={`${secondaryButton} py-1 text-xs`}>Cancel</button>
      {error && <ErrorNote testId="budget-error">{error}</ErrorNote>}
    </form>
  );
}
