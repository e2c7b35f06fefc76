"use client";
// "Join <team>": accepts an invitation link for the signed-in person and lands in that team.
import { useState } from "react";
import { z } from "zod";
import { apiJson } from "../lib/api";
import { switchTeam } from "../lib/switch-team";
import { ErrorNote, primaryButton } from "../ui/form";
import { forgetInvitation } from "./remembered-invitations";

export function JoinButton({ token, teamName }: { token: string; teamName: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function join() {
    setBusy(true);
    setError(null);
    const res = await apiJson(`/api/invitations/${encodeURIComponent(token)}/accept`, z.object({ teamId: z.string() }), { method: "POST" });
    if (res.ok || res.status === 409 || res.status === 404) forgetInvitation(token);
    const failure = res.ok ? await switchTeam(res.data.teamId, "/") : capitalize(res.message);
    if (failure) {
      setBusy(false);
      setError(failure);
    }
  }

  return (
    <div className="space-y-2">
      <button type="button" data-testid="invite-accept" onClick={join} disabled={busy} className={primaryButton}>
        {busy ? "Joining…" : `Join ${teamName}`}
      </button>
      {error && <ErrorNote testId="invite-error">{error}</ErrorNote>}
    </div>
  );
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
