// Text a person sends (prompts, follow-ups, comments, names, instructions) is refused when it holds
// what PostgreSQL cannot store or what is not Unicode at all: a NUL character or a lone UTF-16
// surrogate. Refused with a 422 that says where, rather than silently replaced, so what is stored
// is what the person sent.
import { z } from "zod";

/** Why `s` cannot be stored as sent, or null. */
export function textProblem(s: string): string | null {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return `contains a NUL character (\\u0000) at position ${i}; remove it and send again`;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return `contains a lone UTF-16 surrogate (\\u${c.toString(16)}) at position ${i}, which is not valid Unicode; remove it and send again`;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return `contains a lone UTF-16 surrogate (\\u${c.toString(16)}) at position ${i}, which is not valid Unicode; remove it and send again`;
  }
  return null;
}

/** A string schema that refuses NUL and lone surrogates; chain trim/min/max after it as usual. */
export function safeText() {
  return z.string().superRefine((s, ctx) => {
    const why = textProblem(s);
    if (why) ctx.addIssue({ code: "custom", message: why });
  });
}
