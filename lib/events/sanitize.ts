// PostgreSQL refuses some strings a JSON parser accepts: NUL (\u0000 in jsonb) and lone UTF-16
// surrogates (not valid UTF-8). One such byte in a worker's output would fail the append
// transaction forever and wedge the session, so every string (and key) is cleaned first.
/** A UTF-16 surrogate without its other half (not Unicode; PostgreSQL and fonts refuse it). */
export const LONE_SURROGATE = "[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]";
const BAD = new RegExp(`\\u0000|${LONE_SURROGATE}`, "g");

/** The string with NUL and lone surrogates replaced by U+FFFD. */
export function cleanText(s: string): string {
  return s.replace(BAD, "\uFFFD");
}

/** A deep copy of a JSON value with every string and object key cleaned. */
export function cleanJson<T>(value: T): T {
  return clean(value) as T;
}

function clean(value: unknown): unknown {
  if (typeof value === "string") return cleanText(value);
  if (Array.isArray(value)) return value.map(clean);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    // defineProperty: a "__proto__" key from JSON.parse stays data, never a prototype.
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, cleanText(k), { value: clean(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

// JSON.stringify writes NUL as \u0000 and a lone surrogate as \udXXX (a pair stays literal), so
// a serialized value that holds neither escape needs no cleaning. A false alarm (the text "\u0000"
// typed by someone) only takes the slow path.
const ESCAPED_BAD = /\\u(0000|d[89a-f])/i;

/** The value cleaned (the same object when it needed nothing) and its JSON, serialized once. */
export function cleanSerialized<T>(value: T): { value: T; json: string } {
  const json = JSON.stringify(value);
  if (!ESCAPED_BAD.test(json)) return { value, json };
  const clean = cleanJson(value);
  return { value: clean, json: JSON.stringify(clean) };
}
