"use client";
// A push token for an https repository (admins and owners). It is stored encrypted on the host
// and used only by the host's git for merges and pushes; it never enters a sandbox and is never
// shown again.
import { useState, type FormEvent } from "react";
import { z } from "zod";
import { can } from "../../lib/auth/roles";
import type { TeamDto } from "../../lib/protocol/teams";
import { apiJson } from "../lib/api";
import { ErrorNote, Field, inputClass, Panel, primaryButton } from "../ui/form";

const SavedSchema = z.object({ ok: z.boolean(), repo: z.string() });

export function RepoCredentials({ team }: { team: TeamDto }) {
  const [repo, setRepo] = useState("");
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  if (!can(team.role, "repo.manage")) return null;

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setNote(null);
    const res = await apiJson(`/api/teams/${encodeURIComponent(team.id)}/repo-credentials`, SavedSchema, { method: "PUT", body: { repo: repo.trim(), token } });
    setBusy(false);
    if (!res.ok) return setNote({ ok: false, text: res.message });
    setToken("");
    setNote({ ok: true, text: `Saved for ${res.data.repo}.` });
  }

  return (
    <Panel title="Repository push tokens">
      <form onSubmit={save} aria-label="Repository push token" className="space-y-3">
        <p className="text-xs text-muted">For merging or pushing to an https repository. Stored encrypted on the Dockside host; never given to an agent.</p>
        <Field label="Repository URL" htmlFor="cred-repo">
          <input id="cred-repo" data-testid="cred-repo" className={inputClass} value={repo} onChange={(e) => setRepo(e.target.value)} placeholder="https://github.com/org/repo.git" required />
        </Field>
        <Field label="Token" htmlFor="cred-token">
          <input id="cred-token" data-testid="cred-token" type="password" className={inputClass} value={token} onChange={(e) => setToken(e.target.value)} required autoComplete="off" />
        </Field>
        <div className="flex items-center gap-3">
          <button type="submit" data-testid="cred-save" disabled={busy || !repo.trim() || !token} className={primaryButton}>
            {busy ? "Saving…" : "Save token"}
          </button>
          {note?.ok && <span data-testid="cred-saved" className="text-sm text-emerald-700 dark:text-emerald-400">{note.text}</span>}
        </div>
        {note && !note.ok && <ErrorNote testId="cred-error">{note.text}</ErrorNote>}
      </form>
    </Panel>
  );
}
