"use client";
// Settings → Notifications (each person for themselves, in this team): which events, for which
// sessions, and whether this browser shows them as system notifications. The browser's own
// permission is asked only when the person clicks for it.
import { useEffect, useId, useState } from "react";
import { DEFAULT_NOTIFICATION_PREFS, NOTIFICATION_EVENTS, type NotificationPrefs } from "../../lib/protocol/permissions";
import { apiJson } from "../lib/api";
import { askBrowserPermission, browserPermission, type BrowserPermission } from "../lib/browser-notifications";
import { ErrorNote, Panel, primaryButton, secondaryButton } from "../ui/form";
import { EVENT_WORDS } from "./webhooks-panel";

const SCOPES = [
  { value: "mine", label: "Sessions I started" },
  { value: "watched", label: "Sessions I started or opened" },
  { value: "team", label: "Every session of the team" },
] as const;

function readPrefs(body: unknown): NotificationPrefs | null {
  const b = (body && typeof body === "object" && "prefs" in body ? (body as { prefs: unknown }).prefs : body) as Partial<NotificationPrefs> | null;
  if (!b || !Array.isArray(b.events) || typeof b.scope !== "string" || typeof b.browser !== "boolean") return null;
  return { events: b.events, scope: b.scope, browser: b.browser };
}

export function NotificationPrefsPanel() {
  const id = useId();
  const [saved, setSaved] = useState<NotificationPrefs | null>(null);
  const [draft, setDraft] = useState<NotificationPrefs>(DEFAULT_NOTIFICATION_PREFS);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [permission, setPermission] = useState<BrowserPermission>("unsupported");

  useEffect(() => {
    setPermission(browserPermission());
    void apiJson("/api/me/notification-prefs", null).then((r) => {
      if (!r.ok) return setLoadError(r.message);
      const p = readPrefs(r.data) ?? DEFAULT_NOTIFICATION_PREFS;
      setSaved(p);
      setDraft(p);
    });
  }, []);

  const dirty = saved !== null && JSON.stringify(draft) !== JSON.stringify(saved);

  async function save() {
    setBusy(true);
    setNote(null);
    const r = await apiJson("/api/me/notification-prefs", null, { method: "PUT", body: draft });
    setBusy(false);
    if (!r.ok) return setNote({ ok: false, text: r.message });
    const p = readPrefs(r.data) ?? draft;
    setSaved(p);
    setDraft(p);
    setNote({ ok: true, text: "Saved." });
  }

  return (
    <Panel title="Notifications" testId="notification-prefs-panel">
      <p className="text-xs text-muted">Yours alone, for this team: what reaches the bell in the header (and this browser, if you turn that on).</p>
      {loadError && <ErrorNote testId="notification-prefs-error">{loadError}</ErrorNote>}
      {saved && (
        <div className="space-y-4 text-sm">
          <fieldset className="space-y-1">
            <legend className="text-xs font-medium text-muted">Tell me when</legend>
            {NOTIFICATION_EVENTS.map((ev) => (
              <label key={ev} className="flex items-center gap-2">
                <input type="checkbox" data-testid={`notify-event-${ev}`} checked={draft.events.includes(ev)}
                  onChange={(e) => setDraft({ ...draft, events: e.target.checked ? [...draft.events, ev] : draft.events.filter((x) => x !== ev) })} />
                {EVENT_WORDS[ev]}
              </label>
            ))}
          </fieldset>
          <fieldset className="space-y-1">
            <legend className="text-xs font-medium text-muted">For</legend>
            {SCOPES.map((s) => (
              <label key={s.value} className="flex items-center gap-2">
                <input type="radio" name={`${id}-scope`} data-testid={`notify-scope-${s.value}`} checked={draft.scope === s.value} onChange={() => setDraft({ ...draft, scope: s.value })} />
                {s.label}
              </label>
            ))}
          </fieldset>
          <div className="space-y-1">
            <label className="flex items-center gap-2">
              <input type="checkbox" data-testid="notify-browser" checked={draft.browser} onChange={(e) => setDraft({ ...draft, browser: e.target.checked })} />
              Show browser notifications when Dockside&apos;s tab is in the background
            </label>
            {draft.browser && permission === "default" && (
              <button type="button" data-testid="notify-browser-permission" className={`${secondaryButton} text-xs`} onClick={() => void askBrowserPermission().then(setPermission)}>
                Allow this browser to show them
              </button>
            )}
            {draft.browser && permission === "denied" && <p className="text-xs text-muted">This browser blocks notifications from Dockside; change that in its site settings.</p>}
            {draft.browser && permission === "granted" && <p data-testid="notify-browser-granted" className="text-xs text-muted">This browser may show them.</p>}
            {permission === "unsupported" && <p className="text-xs text-muted">This browser does not offer notifications.</p>}
          </div>
          {note && !note.ok && <ErrorNote testId="notification-prefs-save-error">{note.text}</ErrorNote>}
          <div className="flex items-center gap-3">
            <button type="button" data-testid="notification-prefs-save" className={primaryButton} disabled={busy || !dirty} onClick={() => void save()}>
              {busy ? "Saving…" : "Save"}
            </button>
            {note?.ok && !dirty && <span data-testid="notification-prefs-saved" className="text-sm text-emerald-800 dark:text-emerald-400">{note.text}</span>}
          </div>
        </div>
      )}
    </Panel>
  );
}
