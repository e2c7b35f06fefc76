// Small diff builders for the review logic tests.
import type { DiffFile, DiffHunk, DiffLine } from "../../../lib/protocol/review";

export const ctx = (oldLine: number, newLine: number, text = `c${newLine}`): DiffLine => ({ type: "context", oldLine, newLine, text });
export const del = (oldLine: number, text = `d${oldLine}`): DiffLine => ({ type: "del", oldLine, newLine: null, text });
export const add = (newLine: number, text = `a${newLine}`): DiffLine => ({ type: "add", oldLine: null, newLine, text });

export const hunk = (lines: DiffLine[]): DiffHunk => ({ header: "@@ -1 +1 @@", oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, lines });

export function file(path: string, hunks: DiffHunk[] = [], over: Partial<DiffFile> = {}): DiffFile {
  let additions = 0;
  let deletions = 0;
  for (const h of hunks) for (const l of h.lines) l.type === "add" ? additions++ : l.type === "del" ? deletions++ : 0;
  return { path, oldPath: null, status: "modified", binary: false, additions, deletions, hunks, tooLarge: false, ...over };
}
