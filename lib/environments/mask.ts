// Secret values never reach a person through the log: setup output, tool output and anything else
// the sandbox prints is masked before it is stored. Values shorter than 4 characters are left
// alone (masking every "1" or "yes" would garble the log and protect nothing).
const MIN_MASKED = 4;
export const MASK = "***";

/** A function that replaces every occurrence of each value (longest first) with `***`. */
export function masker(values: string[]): (text: string) => string {
  const unique = [...new Set(values.filter((v) => v.length >= MIN_MASKED))].sort((a, b) => b.length - a.length);
  if (!unique.length) return (text) => text;
  // One alternation, longest first: at each position the longest value that matches wins, so a
  // value that contains another is masked whole.
  const re = new RegExp(unique.map(escape).join("|"), "g");
  return (text) => (text.length >= MIN_MASKED ? text.replace(re, MASK) : text);
}

/** `text` with every occurrence of each value of 4 characters or more replaced by `***`. */
export function maskSecrets(text: string, values: string[]): string {
  return masker(values)(text);
}

/** `value` with every string inside it (objects and arrays, at any depth) masked; keys are kept. */
export function maskDeep<T>(value: T, values: string[]): T {
  return maskDeepWith(value, masker(values));
}

/** maskDeep with a masker built once (a batch of events: one regular expression, not one each). */
export function maskDeepWith<T>(value: T, mask: (text: string) => string): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return mask(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object" && [Object.prototype, null].includes(Object.getPrototypeOf(v))) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
