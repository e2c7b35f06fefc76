"use client";
// The first-time "Name your companion" prompt beside the companion; "Not now" puts it away for
// good in this browser (Settings can still name it).
import { useId, useState, type FormEvent } from "react";
import type { Companion } from "../../lib/protocol/companion";
import { patchCompanion } from "./api";

const DISMISSED_KEY = "dockside:companion-naming-dismissed";

export const namingDismissed = (userId: string): boolean => {
  try {
    return localStorage.getItem(`${DISMISSED_KEY}:${userId}`) === "1";
  } catch {
    return false;
  }
};

export function dismissNaming(userId: string): void {
  try {
    localStorage.setItem(`${DISMISSED_KEY}:${userId}`, "1");
  } catch {
    // Storage refused (private mode, quota): the prompt comes back next time, nothing worse.
  }
}

interface Props {
  onNamed: (c: Companion) => void;
  onDismiss: () => void;
}

export function NamePrompt({ onNamed, onDismiss }: Props) {
  const id = useId();
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!name.trim() || busy) return;
    setBusy(true);
    setError(null);
    const r = await patchCompanion({ name: name.trim() });
    setBusy(false);
    if (r.ok) onNamed(r.data);
    else setError(r.message);
  }

  return (
    <form onSubmit={submit} data-testid="companion-name-prompt" aria-label="Name your companion" className="flex min-w-0 flex-1 items-center gap-1.5">
      <label htmlFor={id} className="sr-only">
        Name your companion
      </label>
      <input
        id={id}
        data-testid="companion-name-input"
        value={name}
        onChange={(e) => setName(e.target.value)}
        maxLength={40}
        placeholder="Name your companion"
        className="h-7 w-40 min-w-0 shrink rounded-md border border-line bg-canvas px-2 text-xs outline-none placeholder:text-muted/70 focus:border-accent focus:ring-1 focus:ring-accent"
      />
      <button type="submit" data-testid="companion-name-save" disabled={busy || !name.trim()} className="h-7 shrink-0 rounded-md bg-accent px-2 text-xs font-medium text-white hover:opacity-90 disabled:opacity-50">
        {busy ? "Saving…" : "Save"}
      </button>
      <button type="button" data-testid="companion-name-dismiss" onClick={onDismiss} className="h-7 shrink-0 rounded-md px-1.5 text-xs text-muted hover:bg-sunken hover:text-fg">
        Not now
      </button>
      {error && (
        <span role="alert" data-testid="companion-name-error" className="min-w-0 truncate text-xs text-red-700 dark:text-red-400" title={error}>
          {error}
        </span>
      )}
    </form>
  );
}
