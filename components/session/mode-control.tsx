"use client";
// The session's permission mode in its header: members and up switch it (PATCH /api/sessions/:id
// {mode}); it applies at the agent's next tool call. The `mode` event the server records brings
// the new value to everyone watching.
import { useId, useState } from "react";
import { PERMISSION_MODES, type PermissionMode } from "../../lib/protocol/permissions";
import { apiJson } from "../lib/api";
import { MODE_WORDS } from "./permission-lines";

export function ModeControl({ sessionId, mode, canEdit }: { sessionId: string; mode: PermissionMode; canEdit: boolean }) {
  const id = useId();
  // What this tab asked for, until the mode event (or the next load) confirms it.
  const [asked, setAsked] = useState<PermissionMode | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const shown = asked ?? mode;
  if (asked !== null && asked === mode) setAsked(null);

  async function change(next: PermissionMode) {
    setBusy(true);
    setError(null);
    setAsked(next);
    const res = await apiJson(`/api/sessions/${encodeURIComponent(sessionId)}`, null, { method: "PATCH", body: { mode: next } });
    setBusy(false);
    if (!res.ok) {
      setAsked(null);
      setError(res.message);
    }
  }

  return (
    <span className="flex flex-wrap items-center gap-1 text-xs text-muted">
      <label htmlFor={id}>Mode</label>
      {canEdit ? (
        <select
          id={id}
          data-testid="session-mode"
          value={shown}
          disabled={busy}
          title={MODE_WORDS[shown].hint}
          aria-describedby={`${id}-hint`}
          onChange={(e) => void change(e.target.value as PermissionMode)}
          className="rounded-md border border-line bg-canvas px-1.5 py-0.5 text-xs text-fg"
        >
          {PERMISSION_MODES.map((m) => (
            <option key={m} value={m}>
              {MODE_WORDS[m].label}
            </option>
          ))}
        </select>
      ) : (
        <span id={id} data-testid="session-mode" className="font-medium text-fg" title={MODE_WORDS[shown].hint}>
          {MODE_WORDS[shown].label}
        </span>
      )}
      <span id={`${id}-hint`} className="sr-only">
        {MODE_WORDS[shown].hint}
      </span>
      {error && (
        <span role="alert" data-testid="session-mode-error" className="text-red-700 dark:text-red-400">
          {error}
        </span>
      )}
    </span>
  );
}
