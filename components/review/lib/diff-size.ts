// Size rules of the diff view: which files stay folded, and how tall a file's placeholder is
// before its lines are rendered (close enough that the scrollbar doesn't jump much).
import type { DiffFile } from "../../../lib/protocol/review";

/** Past this many lines a file is folded behind "Show diff". */
export const FOLD_LINES = 2_000;

export const ROW_PX = 20;
export const HUNK_HEADER_PX = 24;
const NOTE_PX = 40;

export function lineCount(file: DiffFile): number {
  let n = 0;
  for (const h of file.hunks) n += h.lines.length;
  return n;
}

export function isFolded(file: DiffFile): boolean {
  return file.tooLarge || lineCount(file) > FOLD_LINES;
}

/** Rows shown side by side: a replaced block takes max(removed, added) rows, not their sum. */
function splitRowCount(file: DiffFile): number {
  let rows = 0;
  for (const h of file.hunks) {
    let dels = 0;
    let adds = 0;
    for (const l of h.lines) {
      if (l.type === "del") {
        if (adds > 0) {
          rows += Math.max(dels, adds);
          dels = adds = 0;
        }
        dels++;
      } else if (l.type === "add") adds++;
      else {
        rows += Math.max(dels, adds) + 1;
        dels = adds = 0;
      }
    }
    rows += Math.max(dels, adds);
  }
  return rows;
}

/** Estimated height of a file's body (everything under its header), in pixels. */
export function estimateBodyPx(file: DiffFile, mode: "unified" | "split", expanded: boolean): number {
  if (file.binary || file.hunks.length === 0 || (isFolded(file) && !expanded)) return NOTE_PX;
  const rows = mode === "split" ? splitRowCount(file) : lineCount(file);
  return rows * ROW_PX + file.hunks.length * HUNK_HEADER_PX;
}
