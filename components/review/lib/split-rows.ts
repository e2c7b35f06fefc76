// Side-by-side pairing: within a hunk, a run of removed lines followed by a run of added lines
// is shown as replacements, row by row; context lines sit on both sides.
import type { DiffHunk, DiffLine } from "../../../lib/protocol/review";

export interface SplitRow {
  left: DiffLine | null;
  right: DiffLine | null;
}

export function splitRows(hunk: DiffHunk): SplitRow[] {
  const rows: SplitRow[] = [];
  let dels: DiffLine[] = [];
  let adds: DiffLine[] = [];
  const flush = () => {
    const n = Math.max(dels.length, adds.length);
    for (let i = 0; i < n; i++) rows.push({ left: dels[i] ?? null, right: adds[i] ?? null });
    dels = [];
    adds = [];
  };
  for (const l of hunk.lines) {
    if (l.type === "del") {
      // A removal after additions starts a new change block.
      if (adds.length > 0) flush();
      dels.push(l);
    } else if (l.type === "add") {
      adds.push(l);
    } else {
      flush();
      rows.push({ left: l, right: l });
    }
  }
  flush();
  return rows;
}
