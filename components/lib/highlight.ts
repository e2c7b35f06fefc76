// Marks the searched words inside a match snippet. The snippet stays plain text: it is split
// into pieces, never parsed as markup, so whatever the agent wrote shows up as written.

export interface Piece {
  text: string;
  hit: boolean;
}

/** Splits `text` around case-insensitive occurrences of the words of `query`. */
export function highlightPieces(text: string, query: string): Piece[] {
  const words = [...new Set(query.split(/\s+/).map((w) => w.replace(/^[-+"']+|["'*]+$/g, "")).filter((w) => w.length >= 2))];
  if (!text || words.length === 0) return text ? [{ text, hit: false }] : [];
  // Longest first, so "tests" wins over "test" where both match.
  words.sort((a, b) => b.length - a.length);
  const re = new RegExp(`(${words.map(escapeRegExp).join("|")})`, "gi");
  const pieces: Piece[] = [];
  let at = 0;
  for (const m of text.matchAll(re)) {
    const i = m.index ?? 0;
    if (i > at) pieces.push({ text: text.slice(at, i), hit: false });
    pieces.push({ text: m[0], hit: true });
    at = i + m[0].length;
  }
  if (at < text.length) pieces.push({ text: text.slice(at), hit: false });
  return pieces;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
