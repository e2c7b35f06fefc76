"use client";
// The keys that work everywhere, and the `?` overlay listing every key the current page answers
// to. Mounted once, in the root layout. The overlay is a modal dialog: focus stays inside, Escape
// closes it, and the focus goes back where it was.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useModal } from "./lib/use-modal";
import { keyLabel, requestSearchFocus, useShortcutList, useShortcuts, type Scope } from "./lib/shortcuts";

const SCOPE_TITLES: Record<Scope, string> = { global: "Everywhere", session: "On a session", review: "In a review" };
const ORDER: readonly Scope[] = ["session", "review", "global"];

/** Focuses the history search on this page, or goes home and focuses it there. */
function focusSearch(go: (href: string) => void) {
  const box = document.getElementById("history-search");
  if (box) {
    box.focus();
    return;
  }
  requestSearchFocus();
  go("/");
}

export function ShortcutsOverlay() {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  useShortcuts("global", {
    "?": { description: "Show these shortcuts", run: () => setOpen(true) },
    "/": { description: "Search the history", run: () => focusSearch((href) => router.push(href)) },
    "g h": { description: "Go home", run: () => router.push("/") },
    "g m": { description: "Go to the team's memory", run: () => router.push("/memory") },
    "g s": { description: "Go to settings", run: () => router.push("/settings") },
  });
  return open ? <ShortcutsDialog onClose={() => setOpen(false)} /> : null;
}

function ShortcutsDialog({ onClose }: { onClose(): void }) {
  const { dialog, focus: close } = useModal();
  const entries = useShortcutList();
  const mac = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

  const groups = ORDER.map((scope) => ({
    scope,
    keys: entries.filter((e) => e.scope === scope).flatMap((e) => Object.entries(e.keys)),
  })).filter((g) => g.keys.length > 0);

  return (
    <dialog
      ref={dialog}
      aria-labelledby="shortcuts-title"
      data-testid="shortcuts-overlay"
      onClose={onClose}
      className="m-auto max-h-[85vh] w-[min(28rem,calc(100vw-2rem))] overflow-y-auto rounded-lg border border-line bg-panel p-4 text-sm text-fg shadow-xl backdrop:bg-black/40"
    >
      <div className="flex items-center justify-between gap-2">
        <h2 id="shortcuts-title" className="text-base font-semibold">
          Keyboard shortcuts
        </h2>
        <button ref={close} type="button" data-testid="shortcuts-close" onClick={onClose} className="rounded-md border border-line px-2.5 py-1 hover:border-accent">
          Close
        </button>
      </div>
      {groups.map((g) => (
        <section key={g.scope} className="mt-3">
          <h3 className="text-xs font-semibold uppercase tracking-wide text-muted">{SCOPE_TITLES[g.scope]}</h3>
          <dl className="mt-1 divide-y divide-line">
            {g.keys.map(([binding, s]) => (
              <div key={binding} data-testid="shortcut" className="flex items-center justify-between gap-3 py-1.5">
                <dt className="min-w-0">{s.description}</dt>
                <dd className="flex shrink-0 items-center gap-1">
                  {keyLabel(binding, mac).map((k, i) => (
                    <kbd key={i} className="rounded border border-line bg-sunken px-1.5 py-0.5 font-mono text-xs">
                      {k}
                    </kbd>
                  ))}
                </dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </dialog>
  );
}
