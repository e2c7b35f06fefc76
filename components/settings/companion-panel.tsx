"use client";
// Settings → Your companion (each person's own, in every team): who it is, its name, and whether
// it sits on session pages. This is where a hidden companion comes back.
import { useId, useState, type FormEvent } from "react";
import { STAT_NAMES } from "../../lib/companion/species";
import type { Companion } from "../../lib/protocol/companion";
import { patchCompanion } from "../companion/api";
import { companionName } from "../companion/lines";
import { useMe } from "../me-provider";
import { ErrorNote, inputClass, Panel, primaryButton, secondaryButton } from "../ui/form";

export function CompanionPanel() {
  const { state, reload } = useMe();
  const loaded = state.kind === "ok" ? (state.me.companion ?? null) : null;
  // The answer of the last change, until the reloaded /api/me catches up.
  const [own, setOwn] = useState<Companion | null>(null);
  const companion = own ?? loaded;
  if (!companion) return null;
  const changed = (c: Companion) => {
    setOwn(c);
    reload();
  };
  return <CompanionForm companion={companion} onChange={changed} />;
}

function CompanionForm({ companion, onChange }: { companion: Companion; onChange: (c: Companion) => void }) {
  const id = useId();
  const [name, setName] = useState(companion.name ?? "");
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);

  async function save(patch: { name?: string | null; hidden?: boolean }, done: string) {
    setBusy(true);
    setNote(null);
    const r = await patchCompanion(patch);
    setBusy(false);
    if (!r.ok) return setNote({ ok: false, text: r.message });
    setNote({ ok: true, text: done });
    onChange(r.data);
  }
  const rename = (e: FormEvent) => {
    e.preventDefault();
    void save({ name: name.trim() || null }, "Saved.");
  };
  const dirty = (name.trim() || null) !== companion.name;

  return (
    <Panel title="Your companion" testId="companion-panel">
      <p className="text-xs text-muted">Yours alone, drawn from your account. It sits above the message box of session pages and says a word when tests fail, a turn ends or something needs you; its lines are written on this page, nothing is sent anywhere.</p>
      <div className="flex items-center gap-3">
        <span aria-hidden className="flex size-10 items-center justify-center rounded-full border border-line bg-canvas text-2xl">
          {companion.glyph}
        </span>
        <div className="text-sm">
          <p data-testid="companion-panel-title" className="font-medium">
            {companionName(companion)} <span className="font-normal text-muted">· {companion.rarity} {companion.species}</span>
          </p>
          <p className="text-xs text-muted">{STAT_NAMES.map((s) => `${s} ${companion.stats[s] ?? "?"}`).join(" · ")}</p>
        </div>
      </div>
      <form onSubmit={rename} className="flex flex-wrap items-end gap-2">
        <div className="min-w-0 flex-1 space-y-1">
          <label htmlFor={id} className="block text-xs font-medium text-muted">
            Name
          </label>
          <input id={id} data-testid="companion-panel-name" value={name} maxLength={40} onChange={(e) => setName(e.target.value)} placeholder={companionName(companion)} className={inputClass} />
        </div>
        <button type="submit" data-testid="companion-panel-save" className={primaryButton} disabled={busy || !dirty}>
          Save name
        </button>
      </form>
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span data-testid="companion-panel-visibility">{companion.hidden ? "Hidden from session pages." : "Shown on session pages."}</span>
        <button
          type="button"
          data-testid="companion-panel-toggle"
          className={secondaryButton}
          disabled={busy}
          onClick={() => void save({ hidden: !companion.hidden }, companion.hidden ? "It's back on session pages." : "Hidden.")}
        >
          {companion.hidden ? "Show it again" : "Hide it"}
        </button>
        {note?.ok && <span data-testid="companion-panel-saved" className="text-emerald-800 dark:text-emerald-400">{note.text}</span>}
      </div>
      {note && !note.ok && <ErrorNote testId="companion-panel-error">{note.text}</ErrorNote>}
    </Panel>
  );
}
