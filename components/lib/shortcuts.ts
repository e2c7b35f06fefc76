"use client";
// Keyboard shortcuts: one document listener, one registry. Components declare their keys with
// `useShortcuts(scope, {...})` while they are mounted, so the `?` overlay lists exactly the keys
// the current page answers to. Keys are written "j", "?", "g h" (a sequence), "mod+Enter" (Ctrl,
// or ⌘ on a Mac), "Escape".
import { useEffect, useRef, useSyncExternalStore } from "react";

export type Scope = "global" | "session" | "review";

export interface Shortcut {
  description: string;
  /** Absent: the key is handled where it is typed (a text box's own Ctrl+Enter); listed only. */
  run?: (e: KeyboardEvent) => void;
  /** Fire even while a text field has the focus (only for combinations typing can't produce). */
  whenTyping?: boolean;
}

export interface Press {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/** A second key of a sequence must follow within this time. */
const SEQUENCE_MS = 1200;

/** Whether one step of a binding ("j", "mod+Enter", "?") is this key press. */
export function matchesStep(step: string, p: Press): boolean {
  const parts = step.split("+");
  const key = parts.pop()!;
  const mod = parts.includes("mod");
  if (mod !== (p.ctrlKey || p.metaKey) || parts.includes("alt") !== p.altKey) return false;
  // Shift is not compared but shows in the key itself: "?" arrives as "?", Shift+j as "J".
  return p.key === key;
}

/**
 * Follows key presses against a set of bindings: returns the binding a press completes, or null.
 * A press that starts a sequence ("g" of "g h") is remembered until the next press or timeout.
 */
export function createMatcher(now: () => number = Date.now) {
  let pending: { key: Press; at: number } | null = null;
  return (bindings: readonly string[], p: Press): string | null => {
    const prev = pending && now() - pending.at <= SEQUENCE_MS ? pending.key : null;
    pending = null;
    if (prev) {
      const hit = bindings.find((b) => {
        const steps = b.split(" ");
        return steps.length === 2 && matchesStep(steps[0], prev) && matchesStep(steps[1], p);
      });
      if (hit) return hit;
    }
    const single = bindings.find((b) => !b.includes(" ") && matchesStep(b, p));
    if (single) return single;
    if (bindings.some((b) => b.includes(" ") && matchesStep(b.split(" ")[0], p))) pending = { key: p, at: now() };
    return null;
  };
}

export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

// ---- the registry

interface Entry {
  scope: Scope;
  keys: Record<string, Shortcut>;
}

const entries = new Set<{ current: Entry }>();
const listeners = new Set<() => void>();
let snapshot: readonly Entry[] = [];
const match = createMatcher();

function changed() {
  snapshot = [...entries].map((e) => e.current);
  for (const l of listeners) l();
}

function onKeyDown(e: KeyboardEvent) {
  if (e.defaultPrevented || e.isComposing || e.repeat) return;
  // A modal dialog (a confirmation, the overlay) owns the keyboard while it is open.
  if (document.querySelector("dialog[open]")) return;
  const typing = isTyping(e.target);
  const live = new Map<string, Shortcut>();
  for (const { current } of entries) {
    for (const [k, s] of Object.entries(current.keys)) if (s.run && (!typing || s.whenTyping)) live.set(k, s);
  }
  const hit = match([...live.keys()], e);
  if (!hit) return;
  e.preventDefault();
  live.get(hit)!.run!(e);
}

/** Registers `keys` while the calling component is mounted; handlers may change every render. */
export function useShortcuts(scope: Scope, keys: Record<string, Shortcut>): void {
  const ref = useRef<Entry>({ scope, keys });
  useEffect(() => {
    ref.current = { scope, keys };
  });
  // The listing changes only when the set of keys or their descriptions do.
  const signature = Object.entries(keys)
    .map(([k, s]) => `${k}\u0000${s.description}`)
    .join("\u0001");
  useEffect(() => {
    if (entries.size === 0) document.addEventListener("keydown", onKeyDown);
    entries.add(ref);
    changed();
    return () => {
      entries.delete(ref);
      if (entries.size === 0) document.removeEventListener("keydown", onKeyDown);
      changed();
    };
  }, []);
  useEffect(changed, [signature, scope]);
}

/** Every shortcut the mounted components declare, for the overlay. */
export function useShortcutList(): readonly Entry[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => snapshot,
    () => EMPTY,
  );
}
const EMPTY: readonly Entry[] = [];

/** How a binding is written for people: "mod+Enter" → "Ctrl+Enter" (⌘ on a Mac). */
export function keyLabel(binding: string, mac: boolean): string[] {
  return binding.split(" ").map((step) =>
    step
      .split("+")
      .map((k) => (k === "mod" ? (mac ? "⌘" : "Ctrl") : k === "Escape" ? "Esc" : k))
      .join("+"),
  );
}

// ---- a request to focus the history search, carried across a client-side navigation to "/"

let focusSearchOnMount = false;
export const requestSearchFocus = () => void (focusSearchOnMount = true);
export function takeSearchFocusRequest(): boolean {
  const v = focusSearchOnMount;
  focusSearchOnMount = false;
  return v;
}
