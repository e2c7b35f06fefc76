// Where the keyboard is in a review: a file, and optionally one of its hunks. `j`/`k` step
// through files, `n`/`p` through hunks across files, `c` comments on the hunk's first change.
import type { DiffFile } from "../../../lib/protocol/review";
import { defaultRef, type LineRef } from "./line-keys";

export interface Cursor {
  file: number;
  hunk: number | null;
}

/** The next (+1) or previous (−1) file; with no cursor yet, the page starts at the first file. */
export function stepFile(files: readonly DiffFile[], at: Cursor | null, by: 1 | -1): Cursor | null {
  if (files.length === 0) return null;
  const from = at?.file ?? 0;
  return { file: Math.min(files.length - 1, Math.max(0, from + by)), hunk: null };
}

/**
 * The next or previous hunk, across files (a binary file has none); stays put at either end. A
 * file whose hunks are still loading is one stop (the file itself) until they arrive.
 */
export function stepHunk(files: readonly DiffFile[], at: Cursor | null, by: 1 | -1): Cursor | null {
  const all: Cursor[] = [];
  files.forEach((f, file) => {
    if (f.deferred && f.additions + f.deletions > 0) all.push({ file, hunk: null });
    else f.hunks.forEach((_, hunk) => all.push({ file, hunk }));
  });
  if (all.length === 0) return at;
  if (!at) return all[0];
  // On a file without a hunk picked: forward goes to its first hunk, back to the one before it.
  const i = at.hunk === null
    ? (by === 1 ? all.findIndex((c) => c.file >= at.file) : findLastIndex(all, (c) => c.file < at.file) + 1)
    : all.findIndex((c) => c.file === at.file && c.hunk === at.hunk);
  if (i < 0) return by === 1 ? at : all[0];
  if (at.hunk === null) return by === 1 ? all[i] : all[Math.max(0, i - 1)];
  return all[Math.min(all.length - 1, Math.max(0, i + by))];
}

/** The line `c` comments on: the first changed line of the cursor's hunk (or of its file). */
export function commentTarget(files: readonly DiffFile[], at: Cursor | null): LineRef | null {
  const f = files[at?.file ?? 0];
  if (!f) return null;
  const hunks = at?.hunk != null ? [f.hunks[at.hunk]] : f.hunks;
  for (const h of hunks) {
    const line = h?.lines.find((l) => l.type !== "context");
    if (line) return defaultRef(f.path, line);
  }
  return null;
}

function findLastIndex<T>(xs: readonly T[], ok: (x: T) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (ok(xs[i])) return i;
  return -1;
}
