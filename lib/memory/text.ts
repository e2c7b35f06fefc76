// What a memory entry may hold beyond lib/protocol/text.ts (no NUL, no lone surrogate): nothing a
// person reviewing it cannot see. An entry reaches every new session's prompt once accepted, and a
// model reads characters a reviewer's screen does not show: Unicode tag characters spell ASCII
// invisibly ("ASCII smuggling"), runs of zero-width characters or variation selectors encode
// bytes, bidi controls reorder what is shown, terminal escapes rewrite a log. Such text is refused
// with where it is, so the person (or the agent) can send it again without.

/** Characters that draw nothing; the joiners between visible characters (emoji, Persian) are allowed alone. */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;
const JOINERS = new Set(["\u200c", "\u200d", "\ufe0e", "\ufe0f"]);

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

/** Why `text` cannot be a memory entry (a control or an invisible character, and where), or null. */
export function hiddenTextProblem(text: string): string | null {
  const chars = [...text];
  let at = 0;
  let run = 0;
  for (const [i, c] of chars.entries()) {
    const where = `at position ${at}`;
    at += c.length;
    // Controls other than tab and line breaks: escape sequences, backspaces, C1 controls, line/paragraph separators.
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/.test(c)) {
      return `contains a control character (${codePoint(c)}) ${where}; memory is plain text: remove it and send again`;
    }
    if (!INVISIBLE.test(c)) {
      run = 0;
      continue;
    }
    run++;
    // An emoji's "❤️" or "👁️‍🗨️" puts at most two joiners after a visible character; more, or another kind, hides something.
    if (!JOINERS.has(c) || run > 2 || i === run - 1) {
      return `contains an invisible character (${codePoint(c)}) ${where} that a person reviewing it cannot see; remove it and send again`;
    }
  }
  return null;
}
