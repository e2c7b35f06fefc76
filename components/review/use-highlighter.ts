"use client";
// Loads the highlighter (lowlight and its grammars) after the first paint, in its own chunk;
// until then code shows as plain text. Shared through context so rows need no prop for it.
import { createContext, startTransition, useContext, useEffect, useState, type ReactNode } from "react";

export type Highlight = (lang: string | null, text: string) => ReactNode;

export const HighlightContext = createContext<Highlight | null>(null);

export function useHighlighterLoader(): Highlight | null {
  const [fn, setFn] = useState<Highlight | null>(null);
  useEffect(() => {
    let live = true;
    void import("./lib/highlighter").then(
      (m) => {
        // Re-rendering every visible row with colors can wait for more urgent work.
        if (live) startTransition(() => setFn(() => m.highlightLine));
      },
      () => {
        // No highlighting is a fine fallback; the diff is still all there.
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return fn;
}

export const useHighlight = (): Highlight | null => useContext(HighlightContext);
