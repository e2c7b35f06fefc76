// Size rules of the diff view: which files stay folded, and how tall a file's placeholder is
// before its lines are rendered (close enough that the scrollbar doesn't jump much).
import type { DiffFile } from "../../../lib/protocol/review";

/** Past this many lines a file is folded behind "Show diff". */
export const FOLD_LINES = 2_000;

export const ROW_PX = 20;
export const HUNK_HEADER_PX = 24;
const NOTE_PX = 40;

/** Lines of the file's diff; without its hunks (not here yet, or too large), its changed lines. */
export function lineCount(file: DiffFile): number {
  if (file.deferred || (file.tooLarge && file.hunks.length === 0)) return file.additions + file.deletions;
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

// Before the hunks arrive: a hunk per few changed lines, each with its context around it.
function deferredPx(file: DiffFile, mode: "unified" | "split"): number {
  const changed = file.additions + file.deletions;
  if (changed === 0) return NOTE_PX;
  const whole = file.status === "added" || file.status === "deleted";
  const hunks = whole ? 1 : Math.max(1, Math.round(changed / 8));
  const rows = (mode === "split" ? Math.max(file.additions, file.deletions) : changed) + (whole ? 0 : hunks * 6);
  return rows * ROW_PX + hunks * HUNK_HEADER_PX;
}

/** Estimated height of a file's body (everything under its header), in pixels. */
export function estimateBodyPx(file: DiffFile, mode: "unified" | "split", expanded: boolean): number {
  if (file.binary || (isFolded(file) && !expanded)) return NOTE_PX;
  if (file.deferred) return deferredPx(file, mode);
  if (file.hunks.length === 0) return NOTE_PX;
  const rows = mode === "split" ? splitRowCount(file) : lineCount(file);
  return rows * ROW_PX + file.hunks.length * HUNK_HEADER_PX;
}
