"use client";
// Deleting a team (owners only) removes its sessions, shares and tokens: one more click with the
// team's name in front of the person before it happens.
import { useState } from "react";
import type { TeamDto } from "../../lib/protocol/teams";
import { apiJson } from "../lib/api";
import { dangerButton, ErrorNote, Panel, secondaryButton } from "../ui/form";

export function DeleteTeam({ team }: { team: TeamDto }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function remove() {
    setBusy(true);
    setError(null);
    const res = await apiJson(`/api/teams/${encodeURIComponent(team.id)}`, null, { method: "DELETE" });
    if (!res.ok) {
      setBusy(false);
      setError(res.message);
      return;
    }
    // The team cookie now names a team that is gone; the server falls back to another one.
    window.location.assign("/");
  }

  return (
    <Panel title="Delete team">
      <p className="text-sm text-muted">Deletes {team.name} with all its sessions, share links, invitations and API tokens. This can&apos;t be undone.</p>
      {!confirming ? (
        <button type="button" data-testid="team-delete" onClick={() => setConfirming(true)} className={dangerButton}>
          Delete team…
        </button>
      ) : (
        <div data-testid="team-delete-confirmation" className="flex flex-wrap items-center gap-2">
          <span className="text-sm font-medium">Delete {team.name} for everyone?</span>
          <button type="button" data-testid="team-delete-confirm" onClick={remove} disabled={busy} className={dangerButton}>
            {busy ? "Deleting…" : "Yes, delete it"}
          </button>
          <button type="button" data-testid="team-delete-cancel" onClick={() => setConfirming(false)} disabled={busy} className={secondaryButton}>
            Cancel
          </button>
        </div>
      )}
      {error && <ErrorNote testId="team-delete-error">{error}</ErrorNote>}
    </Panel>
  );
}
