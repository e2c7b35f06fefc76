"use client";
// Network policy controls shared by a repository's environment and the team's defaults: what
// setup and the agent may reach (none / allowlist / open), and the allowlist itself (presets,
// domains, *.suffix patterns). Saving sends only what this level sets, so fields left alone keep
// following the level above.
import { useId, useState, type KeyboardEvent } from "react";
import {
  DOMAIN_RE,
  EGRESS_MODES,
  EGRESS_PRESET_NAMES,
  EGRESS_PRESETS,
  SUFFIX_RE,
  type EgressMode,
  type EgressPatch,
  type EgressPolicy,
} from "../../lib/protocol/environments";
import { ErrorNote, inputClass, primaryButton, secondaryButton } from "../ui/form";

const MODE_TEXT: Record<EgressMode, string> = {
  none: "none: no network",
  allowlist: "allowlist: only the listed domains",
  open: "open: any public address",
};
const isPreset = (s: string) => (EGRESS_PRESET_NAMES as string[]).includes(s);
/** A hint only: the server's answer (422) is the word that counts. */
const looksValid = (s: string) => isPreset(s) || (DOMAIN_RE.test(s) && !/^[0-9.]+$/.test(s)) || SUFFIX_RE.test(s);
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

interface Props {
  /** What sessions get now, this level included. */
  effective: EgressPolicy;
  /** What this level sets itself (the rest comes from above). */
  own: EgressPatch;
  editable: boolean;
  /** Answers an error message, or null when saved. */
  onSave: (patch: EgressPatch) => Promise<string | null>;
  onReset: () => Promise<string | null>;
  /** "use team default", "use Dockside's default". */
  resetLabel: string;
  /** What the effective policy is made of, for people: "after the team default". */
  effectiveNote: string;
}

export function EgressEditor({ effective, own, editable, onSave, onReset, resetLabel, effectiveNote }: Props) {
  const id = useId();
  const [setup, setSetup] = useState<EgressMode>(effective.setup);
  const [agent, setAgent] = useState<EgressMode>(effective.agent);
  const [allow, setAllow] = useState<string[]>([...effective.allow]);
  const [entry, setEntry] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  // A reload after a save (or someone else's change) starts the form from the new values.
  const signature = JSON.stringify([effective, own]);
  const [shown, setShown] = useState(signature);
  if (shown !== signature) {
    setShown(signature);
    setSetup(effective.setup);
    setAgent(effective.agent);
    setAllow([...effective.allow]);
  }
  const dirty = setup !== effective.setup || agent !== effective.agent || !sameList(allow, effective.allow);
  const overrides = Object.keys(own).filter((k) => own[k as keyof EgressPatch] !== undefined);
  const domains = allow.filter((a) => !isPreset(a));

  function add() {
    const fresh = entry.split(/[\s,]+/).map((s) => s.trim().toLowerCase()).filter(Boolean);
    if (fresh.length === 0) return;
    setAllow((list) => [...list, ...fresh.filter((f, i) => !list.includes(f) && fresh.indexOf(f) === i)]);
    setEntry("");
    setSaved(false);
  }
  const onEntryKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    add();
  };
  const toggle = (name: string) => {
    setAllow((list) => (list.includes(name) ? list.filter((x) => x !== name) : [...list, name]));
    setSaved(false);
  };

  async function run(action: () => Promise<string | null>) {
    setBusy(true);
    setError(null);
    setSaved(false);
    const failure = await action();
    setBusy(false);
    if (failure) setError(failure);
    else setSaved(true);
  }
  // Only fields this level already sets, or that the person changed, become its own.
  const save = () =>
    run(() => {
      const patch: EgressPatch = {};
      if (own.setup !== undefined || setup !== effective.setup) patch.setup = setup;
      if (own.agent !== undefined || agent !== effective.agent) patch.agent = agent;
      if (own.allow !== undefined || !sameList(allow, effective.allow)) patch.allow = allow;
      return onSave(patch);
    });

  return (
    <div className="space-y-3" data-testid="egress-editor">
      <div className="grid gap-3 sm:grid-cols-2">
        {(["setup", "agent"] as const).map((phase) => (
          <div key={phase} className="space-y-1">
            <label htmlFor={`${id}-${phase}`} className="block text-xs font-medium text-muted">
              {phase === "setup" ? "Setup" : "Agent"}
            </label>
            <select
              id={`${id}-${phase}`}
              data-testid={`egress-${phase}`}
              className={inputClass}
              disabled={!editable}
              value={phase === "setup" ? setup : agent}
              onChange={(e) => {
                (phase === "setup" ? setSetup : setAgent)(e.target.value as EgressMode);
                setSaved(false);
              }}
            >
              {EGRESS_MODES.map((m) => (
                <option key={m} value={m}>
                  {MODE_TEXT[m]}
                </option>
              ))}
            </select>
          </div>
        ))}
      </div>
      <p className="text-xs text-muted">
        None: no network at all. Allowlist: only the domains below. Open: any public address. Private and local addresses (the
        host, your network, cloud metadata) are never reachable, whatever the policy.
      </p>

      <fieldset className="space-y-2">
        <legend className="text-xs font-medium text-muted">Allowlist (used by the phases set to allowlist)</legend>
        <div className="flex flex-wrap gap-1.5" role="group" aria-label="Presets">
          {EGRESS_PRESET_NAMES.map((p) => (
            <button
              key={p}
              type="button"
              data-testid={`egress-preset-${p}`}
              aria-pressed={allow.includes(p)}
              disabled={!editable}
              title={EGRESS_PRESETS[p].join(", ")}
              onClick={() => toggle(p)}
              className={`rounded-full border px-2.5 py-0.5 text-xs disabled:opacity-60 ${
                allow.includes(p) ? "border-accent bg-accent/10 font-medium text-accent" : "border-line text-muted hover:bg-sunken"
              }`}
            >
              {allow.includes(p) ? "✓ " : ""}
              {p}
            </button>
          ))}
        </div>
        {domains.length > 0 && (
          <ul className="flex flex-wrap gap-1.5" aria-label="Allowed domains">
            {domains.map((d) => (
              <li
                key={d}
                data-testid="egress-domain"
                data-valid={looksValid(d)}
                title={looksValid(d) ? undefined : "not a domain, *.suffix or preset"}
                className={`flex max-w-full items-center gap-1 rounded border px-2 py-0.5 font-mono text-xs ${
                  looksValid(d) ? "border-line bg-sunken" : "border-red-500/50 bg-red-500/10 text-red-700 dark:text-red-300"
                }`}
              >
                <span className="min-w-0 break-all" data-testid="egress-domain-name">{d}</span>
                {editable && (
                  <button type="button" aria-label={`Remove ${d}`} data-testid="egress-domain-remove" onClick={() => toggle(d)} className="px-0.5 text-muted hover:text-fg">
                    ×
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
        {editable && (
          <div className="flex gap-2">
            <label htmlFor={`${id}-entry`} className="sr-only">
              Add a domain or *.suffix pattern
            </label>
            <input
              id={`${id}-entry`}
              data-testid="egress-entry"
              className={`${inputClass} min-w-0 font-mono text-xs`}
              value={entry}
              onChange={(e) => setEntry(e.target.value)}
              onKeyDown={onEntryKey}
              placeholder="example.com or *.example.com"
              autoComplete="off"
              spellCheck={false}
            />
            <button type="button" data-testid="egress-entry-add" className={`${secondaryButton} shrink-0`} disabled={!entry.trim()} onClick={add}>
              Add
            </button>
          </div>
        )}
      </fieldset>

      <p className="text-xs" data-testid="egress-effective">
        <span className="text-muted">Sessions get ({effectiveNote}): </span>
        setup <b>{effective.setup}</b>, agent <b>{effective.agent}</b>
        {effective.allow.length > 0 && <span className="break-words">; allowed: {effective.allow.join(", ")}</span>}
        <span className="block text-muted" data-testid="egress-own">
          {overrides.length === 0 ? "Nothing set here: every field follows the default." : `Set here: ${overrides.join(", ")}.`}
        </span>
      </p>
      {error && <ErrorNote testId="egress-error">{error}</ErrorNote>}
      {editable && (
        <div className="flex flex-wrap items-center gap-2">
          <button type="button" data-testid="egress-save" className={primaryButton} disabled={busy || !dirty} onClick={() => void save()}>
            {busy ? "Saving…" : "Save network"}
          </button>
          <button type="button" data-testid="egress-reset" className={secondaryButton} disabled={busy || overrides.length === 0} onClick={() => void run(onReset)}>
            {resetLabel}
          </button>
          {saved && !dirty && <span data-testid="egress-saved" className="text-sm text-emerald-800 dark:text-emerald-400">Saved.</span>}
        </div>
      )}
    </div>
  );
}
