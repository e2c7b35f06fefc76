// Bounded terminal output for one tool call. A command may print gigabytes; the browser keeps
// only the tail (the event log on the server keeps everything), so memory and render cost stay
// flat however long the command runs.

import { terminalText } from "../../lib/text/visible";

export type OutputStream = "stdout" | "stderr";

export interface OutputChunk {
  /** Stable per tool call, so React keys survive chunks dropped from the front. */
  id: number;
  stream: OutputStream;
  text: string;
}

export interface OutputBuffer {
  chunks: readonly OutputChunk[];
  /** Characters currently held (sum of chunk text lengths). */
  chars: number;
  /** UTF-8 bytes dropped from the front so far. */
  droppedBytes: number;
  nextId: number;
}

/** About 200 KB of ASCII output per tool call. */
export const DEFAULT_OUTPUT_CAP = 200_000;
/** Chunks grow up to this size, so a render only rewrites the last few text nodes. */
const CHUNK_TARGET = 8_192;
/** When trimming, cut at the next newline if one is this close, so the view starts on a line. */
const LINE_SNAP = 1_024;

export const EMPTY_OUTPUT: OutputBuffer = { chunks: [], chars: 0, droppedBytes: 0, nextId: 0 };

/**
 * Colours dropped, carriage returns become newlines, every other control or escape shown as a
 * visible symbol (␛, ␀): output is never interpreted and nothing silently vanishes.
 */
export function cleanTerminalText(text: string): string {
  return terminalText(text);
}

/** UTF-8 length without allocating an encoded copy. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Appends cleaned text and trims the front to `cap` characters. Returns a new buffer. */
export function appendOutput(buf: OutputBuffer, stream: OutputStream, raw: string, cap = DEFAULT_OUTPUT_CAP): OutputBuffer {
  const text = cleanTerminalText(raw);
  if (!text) return buf;
  const chunks = buf.chunks.slice();
  let nextId = buf.nextId;
  const last = chunks[chunks.length - 1];
  if (last && last.stream === stream && last.text.length < CHUNK_TARGET) {
    chunks[chunks.length - 1] = { ...last, text: last.text + text };
  } else {
    chunks.push({ id: nextId++, stream, text });
  }
  return trimFront({ chunks, chars: buf.chars + text.length, droppedBytes: buf.droppedBytes, nextId }, cap);
}

function trimFront(buf: OutputBuffer & { chunks: OutputChunk[] }, cap: number): OutputBuffer {
  if (buf.chars <= cap) return buf;
  const { chunks } = buf;
  let { chars, droppedBytes } = buf;
  let drop = 0;
  while (chars > cap && drop < chunks.length) {
    const first = chunks[drop];
    const excess = chars - cap;
    if (first.text.length <= excess) {
      chars -= first.text.length;
      droppedBytes += utf8Length(first.text);
      drop++;
      continue;
    }
    let cut = excess;
    const nl = first.text.indexOf("\n", cut - 1);
    if (nl !== -1 && nl - cut < LINE_SNAP) cut = nl + 1;
    droppedBytes += utf8Length(first.text.slice(0, cut));
    chars -= cut;
    chunks[drop] = { ...first, text: first.text.slice(cut) };
    if (!chunks[drop].text) drop++;
  }
  return { chunks: chunks.slice(drop), chars, droppedBytes, nextId: buf.nextId };
}
