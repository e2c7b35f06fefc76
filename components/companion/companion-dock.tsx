"use client";
// The companion's corner of the session page: a slim row above the composer with its glyph (a
// button that toggles the speech bubble) and a Hide control. The row is in the page's flow, so it
// never covers the composer; only the bubble floats above the transcript, lets clicks through to
// what it covers and fades after BUBBLE_MS. Animations run only under `motion-safe:`.
import { useCallback, useEffect, useId, useState, type KeyboardEvent } from "react";
import type { Companion } from "../../lib/protocol/companion";
import { useMe } from "../me-provider";
import { patchCompanion } from "./api";
import { companionName } from "./lines";
import { dismissNaming, NamePrompt, namingDismissed } from "./name-prompt";
import { greeting, lineText, type Line } from "./reactions";
import { useCompanionLines } from "./use-companion-lines";

const BUBBLE_MS = 10_000;

interface Props {
  sessionId: string;
  /** The seq the session held when this page subscribed (null until known): later events are live. */
  replayTarget: number | null;
}

type Bubble = { line: Line; open: boolean };

export function CompanionDock({ sessionId, replayTarget }: Props) {
  const { state, reload } = useMe();
  const me = state.kind === "ok" ? state.me : null;
  // What this page changed (name, hidden) wins over the copy loaded with the page.
  const [own, setOwn] = useState<Companion | null>(null);
  const companion = own ?? me?.companion ?? null;
  const [bubble, setBubble] = useState<Bubble | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [naming, setNaming] = useState(false);
  const bubbleId = useId();

  useCompanionLines(sessionId, replayTarget, companion, useCallback((line: Line) => setBubble({ line, open: true }), []));

  const userId = me?.user.id ?? null;
  useEffect(() => {
    if (userId) setNaming(!namingDismissed(userId));
  }, [userId]);

  const open = bubble?.open ?? false;
  useEffect(() => {
    if (!open) return;
    const t = setTimeout(() => setBubble((b) => (b ? { ...b, open: false } : b)), BUBBLE_MS);
    return () => clearTimeout(t);
  }, [open, bubble?.line]);

  if (!companion || companion.hidden || !me) return null;
  const name = companionName(companion);

  const changed = (c: Companion) => {
    setOwn(c);
    reload();
  };
  const toggle = () => setBubble((b) => (b?.open ? { ...b, open: false } : { line: b?.line ?? greeting(), open: true }));
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== "Escape" || !open) return;
    e.stopPropagation();
    setBubble((b) => (b ? { ...b, open: false } : b));
  };
  async function hide() {
    setError(null);
    setOwn({ ...companion!, hidden: true });
    const r = await patchCompanion({ hidden: true });
    if (r.ok) return changed(r.data);
    setOwn({ ...companion!, hidden: false });
    setError(`Couldn't hide it: ${r.message}`);
  }

  return (
    <div
      data-testid="companion"
      data-species={companion.species}
      data-rarity={companion.rarity}
      onKeyDown={onKeyDown}
      className="relative flex shrink-0 items-center gap-2 px-4 py-1"
    >
      <div
        id={bubbleId}
        role="status"
        aria-live="polite"
        data-testid="companion-bubble"
        data-open={open ? "true" : "false"}
        data-kind={bubble?.line.kind}
        className={`pointer-events-none absolute bottom-full left-4 z-10 mb-1 w-max max-w-[min(22rem,calc(100%-2rem))] rounded-2xl rounded-bl-sm border border-line bg-panel px-3 py-1.5 text-xs break-words shadow-md motion-safe:transition-[opacity,transform,visibility] motion-safe:duration-300 ${open ? "visible translate-y-0 opacity-100" : "invisible translate-y-1 opacity-0"}`}
      >
        {bubble && lineText(companion, bubble.line)}
      </div>
      <button
        type="button"
        data-testid="companion-button"
        aria-label={name}
        aria-expanded={open}
        aria-controls={bubbleId}
        title={`${name}, your ${companion.rarity} ${companion.species}`}
        onClick={toggle}
        className="flex size-8 shrink-0 items-center justify-center rounded-full border border-line bg-panel text-lg leading-none shadow-sm hover:bg-sunken focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent motion-safe:transition-transform motion-safe:hover:scale-110"
      >
        <span aria-hidden>{companion.glyph}</span>
      </button>
      {naming && companion.name === null && (
        <NamePrompt
          onNamed={changed}
          onDismiss={() => {
            dismissNaming(me.user.id);
            setNaming(false);
          }}
        />
      )}
      {error && (
        <span role="alert" data-testid="companion-error" className="min-w-0 truncate text-xs text-red-700 dark:text-red-400" title={error}>
          {error}
        </span>
      )}
      <button
        type="button"
        data-testid="companion-hide"
        onClick={() => void hide()}
        aria-label="Hide companion"
        title="Hide it; Settings brings it back"
        className="ml-auto shrink-0 rounded px-1.5 py-0.5 text-xs text-muted hover:bg-sunken hover:text-fg"
      >
        Hide
      </button>
    </div>
  );
}
