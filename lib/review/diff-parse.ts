// Turns git's diff output into structured files and hunks. Paths come from `--name-status -z`
// (exact bytes, no quoting games); hunks from the patch, matched to files by order.
import type { DiffFile, DiffHunk } from "../protocol/review";

export interface NameStatus {
  status: DiffFile["status"];
  path: string;
  oldPath: string | null;
}

/** Parses `git diff --name-status -z -M`. */
export function parseNameStatus(out: string): NameStatus[] {
  const parts = out.split("\0");
  const files: NameStatus[] = [];
  for (let i = 0; i + 1 < parts.length; ) {
    const code = parts[i];
    if (!code) break;
    if (code[0] === "R" || code[0] === "C") {
      files.push({ status: code[0] === "R" ? "renamed" : "copied", oldPath: parts[i + 1], path: parts[i + 2] });
      i += 3;
    } else {
      const status = code[0] === "A" ? "added" : code[0] === "D" ? "deleted" : "modified";
      files.push({ status, oldPath: null, path: parts[i + 1] });
      i += 2;
    }
  }
  return files;
}

/** Parses `git diff --numstat -z -M` into [additions, deletions] or null for binary files. */
export function parseNumstat(out: string): ([number, number] | null)[] {
  const parts = out.split("\0");
  const stats: ([number, number] | null)[] = [];
  for (let i = 0; i < parts.length; i++) {
    const m = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(parts[i]);
    if (!m) continue;
    stats.push(m[1] === "-" ? null : [Number(m[1]), Number(m[2])]);
    if (m[3] === "") i += 2; // a rename: old and new path follow as their own fields
  }
  return stats;
}

/** Splits a unified patch into per-file chunks (in order) and parses their hunks. */
export function parsePatchHunks(patch: string, maxLinesPerFile: number): { hunks: DiffHunk[]; tooLarge: boolean }[] {
  const chunks = patch.split(/^(?=diff --git )/m).filter((c) => c.startsWith("diff --git "));
  return chunks.map((chunk) => parseChunk(chunk, maxLinesPerFile));
}

function parseChunk(chunk: string, max: number): { hunks: DiffHunk[]; tooLarge: boolean } {
  const hunks: DiffHunk[] = [];
  let cur: DiffHunk | null = null;
  let oldNo = 0;
  let newNo = 0;
  let count = 0;
  for (const line of chunk.split("\n")) {
    const h = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/.exec(line);
    if (h) {
      cur = { header: line, oldStart: +h[1], oldLines: h[2] === undefined ? 1 : +h[2], newStart: +h[3], newLines: h[4] === undefined ? 1 : +h[4], lines: [] };
      hunks.push(cur);
      oldNo = cur.oldStart;
      newNo = cur.newStart;
      continue;
    }
    if (!cur) continue;
    if (++count > max) return { hunks: [], tooLarge: true };
    const tag = line[0];
    const text = line.slice(1);
    if (tag === "+") cur.lines.push({ type: "add", oldLine: null, newLine: newNo++, text });
    else if (tag === "-") cur.lines.push({ type: "del", oldLine: oldNo++, newLine: null, text });
    else if (tag === " ") cur.lines.push({ type: "context", oldLine: oldNo++, newLine: newNo++, text });
    // "\ No newline at end of file" and the trailing empty line carry no content
  }
  return { hunks, tooLarge: false };
}
