// The forms a credential takes when it is disguised, by accident (a token wrapped over two lines,
// pasted from a rich editor with zero-width characters) or on purpose by an agent (fullwidth or
// Cyrillic look-alike letters, a team secret base64- or URL-encoded). The scanner looks at each
// form; what no cheap rule recovers (a value reversed, split by spaces, encrypted) is a documented
// limit in docs/security.md.

/** Characters a reader cannot see (zero-width, bidi controls, soft hyphen, variation and tag characters). */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

/** Cyrillic and Greek letters drawn like Latin ones ("ghр_" with a Cyrillic р is still a GitHub token to a person). */
const LOOKALIKE: Record<string, string> = {
  а: "a", в: "b", е: "e", к: "k", м: "m", н: "h", о: "o", р: "p", с: "c", т: "t", у: "y", х: "x", і: "i", ј: "j", ѕ: "s", ԁ: "d", һ: "h", ӏ: "l", ԛ: "q", ԝ: "w",
  А: "A", В: "B", Е: "E", К: "K", М: "M", Н: "H", О: "O", Р: "P", С: "C", Т: "T", Х: "X", І: "I", Ј: "J", Ѕ: "S", Ү: "Y",
  α: "a", ο: "o", ρ: "p", ν: "v", ι: "i", κ: "k", τ: "t", υ: "u", χ: "x",
  Α: "A", Β: "B", Ε: "E", Ζ: "Z", Η: "H", Ι: "I", Κ: "K", Μ: "M", Ν: "N", Ο: "O", Ρ: "P", Τ: "T", Υ: "Y", Χ: "X",
};
const LOOKALIKES = new RegExp(`[${Object.keys(LOOKALIKE).join("")}]`, "g");

/** What a person would read: compatibility forms folded (fullwidth ｇ → g), invisible characters gone, look-alikes made Latin. */
export function visibleForm(text: string): string {
  return text.normalize("NFKC").replace(INVISIBLE, "").replace(LOOKALIKES, (c) => LOOKALIKE[c]);
}

/** Runs long enough to hide a token in base64 (standard or URL-safe). */
const BASE64_RUN = /[A-Za-z0-9+/_-]{24,}={0,2}/g;
const MAX_DECODED = 64;

/** What the base64 runs and %-escapes of `text` decode to, where that is readable text. */
function decodedForms(text: string): string[] {
  const out: string[] = [];
  for (const [run] of [...text.matchAll(BASE64_RUN)].slice(0, MAX_DECODED)) {
    const decoded = Buffer.from(run.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8");
    // Mostly printable: text (a token, user:password); binary (a hash, an image) is not.
    const printable = decoded.replace(/[^\x20-\x7e\n\t]/g, "").length;
    if (decoded.length >= 16 && printable >= 0.9 * decoded.length) out.push(decoded);
  }
  if (/%[0-9a-f]{2}/i.test(text)) {
    try {
      out.push(decodeURIComponent(text));
    } catch {
      // not valid %-encoding as a whole: the text as written is scanned anyway
    }
  }
  return out;
}

/** The texts to scan: as written, as read, with line breaks (and the indentation around them) closed up, and decoded. */
export function scanForms(text: string): string[] {
  const visible = visibleForm(text);
  const joined = visible.replace(/[ \t]*(?:\r\n|\r|\n|\u2028|\u2029)[ \t]*/g, "");
  // Only lines that end in a long run joined on ("push with\n  ghp_…\n  …": the prose keeps its break).
  const wrapped = visible.replace(/([A-Za-z0-9_+/=-]{8,})[ \t]*(?:\r\n|\r|\n|\u2028|\u2029)[ \t]*/g, "$1");
  return [...new Set([text, visible, joined, wrapped, ...decodedForms(joined)])];
}

/** Known values shorter than this are only looked for as written: squashing spaces would find "test12" in "test 12". */
const SQUASH_MIN = 12;
/** Encoded forms shorter than this would match by chance. */
const ENCODED_MIN = 8;

const squash = (s: string) => s.replace(/\s+/g, "");

/** base64 (standard and URL-safe) of `value` at each of the 3 alignments it can have inside a longer encoded text ("user:value"). */
function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  const out: string[] = [];
  for (const k of [0, 1, 2]) {
    const enc = Buffer.concat([Buffer.alloc(k), bytes]).toString("base64").replace(/=+$/, "");
    // The first group mixes the k bytes before the value (unless k = 0); the last may mix the bytes after it.
    const start = k ? 4 : 0;
    const end = (k + bytes.length) % 3 ? enc.length - ((k + bytes.length) % 3) - 1 : enc.length;
    const middle = enc.slice(start, end);
    if (middle.length >= ENCODED_MIN) out.push(middle, middle.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return out;
}

/** The ways a known value may be written down: encoded as base64, hex or for a URL. */
export function encodedForms(value: string): string[] {
  const hex = Buffer.from(value, "utf8").toString("hex");
  const url = encodeURIComponent(value);
  return [...new Set([...base64Forms(value), hex, hex.toUpperCase(), ...(url !== value ? [url, url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())] : [])])].filter((f) => f.length >= ENCODED_MIN);
}

/** Whether `text` holds `value` as written, in another case, as read, closed up (long values) or encoded. */
export function holdsValue(text: string, value: string): boolean {
  if (text.includes(value)) return true;
  const read = visibleForm(text).toLowerCase();
  const wanted = value.toLowerCase();
  if (read.includes(wanted)) return true;
  if (value.length >= SQUASH_MIN && squash(read).includes(squash(wanted))) return true;
  return encodedForms(value).some((f) => text.includes(f));
}
