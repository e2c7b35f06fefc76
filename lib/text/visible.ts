// Text from the agent, its tools and people is shown as what it is: control characters and
// escape sequences become visible symbols (␛ for ESC, ␀ for NUL) instead of being interpreted by
// a terminal that opens an export or silently vanishing in the browser; a lone surrogate (which
// no font draws and PostgreSQL refuses) becomes U+FFFD. One regex pass, no allocation when the
// text is clean, so it can run on every output chunk.

import { LONE_SURROGATE } from "../events/sanitize";

// C0 controls except TAB and LF, DEL, C1 controls, and surrogates without their other half.
const HOSTILE = new RegExp(`[\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F]|${LONE_SURROGATE}`, "g");
// Colour and style (SGR) only: they carry no text, and showing them would bury every test run
// in noise. Any other escape (cursor moves, titles, hyperlinks) stays visible.
const SGR = /\x1b\[[0-9;:]*m/g;

function picture(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c < 0x20) return String.fromCharCode(0x2400 + c); // U+2400 block: ␀ … ␛ … ␟
  if (c === 0x7f) return "\u2421"; // ␡
  return "\uFFFD"; // C1 controls and lone surrogates have no picture of their own
}

/** Messages, assistant text, file names: CRLF becomes LF, other controls become pictures. */
export function visibleText(text: string): string {
  return text.replace(/\r\n/g, "\n").replace(HOSTILE, picture);
}

/** Terminal output: colours dropped, carriage returns become newlines (progress bars stay readable), other controls visible. */
export function terminalText(text: string): string {
  return text.replace(SGR, "").replace(/\r\n?/g, "\n").replace(HOSTILE, picture);
}

/** The same for every string inside a JSON value (a tool call's input), keeping its shape. */
export function visibleJson(value: unknown): unknown {
  if (typeof value === "string") return visibleText(value);
  if (Array.isArray(value)) return value.map(visibleJson);
  // fromEntries defines properties: a "__proto__" key from JSON stays data, never a prototype.
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visibleJson(v)]));
  return value;
}
