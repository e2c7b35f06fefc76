// Turns ts_headline output (hits wrapped in private-use marker characters) into plain text plus
// [start, end) offsets, so the UI renders text and never HTML from the database.
export const HIT_START = "\uE000";
export const HIT_END = "\uE001";
export const FRAGMENT = "\uE002";

const MAX_SNIPPET = 400;

export function toSnippet(marked: string): { snippet: string; highlights: [number, number][] } {
  const text = marked.replaceAll(FRAGMENT, " … ").replace(/\s+/g, " ").trim();
  let snippet = "";
  let start = -1;
  const highlights: [number, number][] = [];
  for (const ch of text) {
    if (ch === HIT_START) start = snippet.length;
    else if (ch === HIT_END) {
      if (start >= 0 && snippet.length > start) highlights.push([start, snippet.length]);
      start = -1;
    } else snippet += ch;
  }
  if (snippet.length <= MAX_SNIPPET) return { snippet, highlights };
  const cut = snippet.slice(0, MAX_SNIPPET - 1) + "…";
  return { snippet: cut, highlights: highlights.filter(([, end]) => end < MAX_SNIPPET) };
}
