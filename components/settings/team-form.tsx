"use client";
// The team's name and whether its share links open without an account (admins and owners edit
// these). Protected branches belong to each repository (Settings → Repositories).
import { useState, type FormEvent } from "react";
import { can } from "../../lib/auth/roles";
import { TeamDtoSchema, type TeamDto } from "../../lib/protocol/teams";
import { apiJson } from "../lib/api";
import { useMe } from "../me-provider";
import { ErrorNote, Field, inputClass, Panel, primaryButton } from "../ui/form";

export function TeamForm({ team }: { team: TeamDto }) {
  const { reload } = useMe();
  const editable = can(team.role, "settings.manage");
  const [name, setName] = useState(team.name);
  const [publicLinks, setPublicLinks] = useState(team.allowPublicLinks);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const dirty = name.trim() !== team.name || publicLinks !== team.allowPublicLinks;

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!editable || busy || !name.trim()) return;
    setBusy(true);
    setNote(null);
    const res = await apiJson(`/api/teams/${encodeURIComponent(team.id)}`, TeamDtoSchema, {
      method: "PATCH",
      body: { name: name.trim(), allowPublicLinks: publicLinks },
    });
    setBusy(false);
    if (!res.ok) {
      setNote({ ok: false, text: res.message });
      return;
    }
    setNote({ ok: true, text: "Saved." });
    // The header and the switcher show the name: refresh who-am-I.
    reload();
  }

  return (
    <Panel title="Team">
      <form onSubmit={save} aria-label="Team settings" data-testid="team-form" className="space-y-3">
        <Field label="Name" htmlFor="team-name">
          <input id="team-name" data-testid="team-name-input" className={inputClass} value={name} disabled={!editable}
            onChange={(e) => setName(e.target.value)} maxLength={100} required autoComplete="off" />
        </Field>
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" data-testid="public-links-toggle" className="mt-0.5" checked={publicLinks} disabled={!editable}
            onChange={(e) => setPublicLinks(e.target.checked)} />
          <span>
            Anyone with a share link can view the shared session
            <span className="block text-xs text-muted">Off: share links open only for signed-in members of this team.</span>
          </span>
        </label>
        {editable ? (
          <div className="flex items-center gap-3">
            <button type="submit" data-testid="save-team" disabled={busy || !dirty || !name.trim()} className={primaryButton}>
              {busy ? "Saving…" : "Save"}
            </button>
            {note?.ok && <span data-testid="team-saved" className="text-sm text-emerald-800 dark:text-emerald-400">{note.text}</span>}
          </div>
        ) : (
          <p className="text-xs text-muted">Only admins and owners can change these settings.</p>
        )}
        {note && !note.ok && <ErrorNote testId="team-error">{note.text}</ErrorNote>}
      </form>
    </Panel>
  );
}
