// Turns git's diff output into structured files and hunks. Paths come from `--name-status -z`
// (exact bytes, no quoting games); hunks from the patch, matched to files by order and checked
// against each chunk's `diff --git` header.
import { AppError } from "../errors";
import type { DiffFile, DiffHunk } from "../protocol/review";

export interface NameStatus {
  status: DiffFile["status"];
  path: string;
  oldPath: string | null;
}

/**
 * Parses `git diff --raw --numstat -z -M`: one git run (one rename detection) for both lists, the
 * raw records first (`:modes shas status\0path\0`, two paths for a rename or copy), then the
 * numstat ones. Paths are taken by count, never by their text, so a path may look like anything.
 */
export function parseRawNumstat(out: string): { names: NameStatus[]; stats: ([number, number] | null)[] } {
  const parts = out.split("\0");
  const names: NameStatus[] = [];
  let i = 0;
  while (i < parts.length && parts[i].startsWith(":")) {
    const code = parts[i].slice(parts[i].lastIndexOf(" ") + 1);
    if (code[0] === "R" || code[0] === "C") {
      names.push({ status: code[0] === "R" ? "renamed" : "copied", oldPath: parts[i + 1], path: parts[i + 2] });
      i += 3;
    } else {
      names.push({ status: code[0] === "A" ? "added" : code[0] === "D" ? "deleted" : "modified", oldPath: null, path: parts[i + 1] });
      i += 2;
    }
  }
  const stats = parseNumstat(parts.slice(i).join("\0"));
  if (stats.length !== names.length) throw new Error(`git listed ${names.length} changed files but counted lines for ${stats.length}`);
  return { names, stats };
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

/**
 * Splits a unified patch into per-file chunks and parses their hunks, chunk i for `files[i]`. Each
 * chunk's `diff --git` header must name its file: a patch that pairs up differently from the list
 * is an error, never another file's lines shown under this one's name.
 */
export function parsePatchHunks(patch: string, maxLinesPerFile: number, files: readonly FileNames[]): { hunks: DiffHunk[]; tooLarge: boolean }[] {
  const chunks = splitPatch(patch);
  checkChunks(chunks, files);
  return chunks.map((chunk) => parseChunk(chunk, maxLinesPerFile));
}

export type FileNames = Pick<NameStatus, "path" | "oldPath">;

/** Throws when the chunks and the files differ in number or any chunk names another file. */
export function checkChunks(chunks: readonly string[], files: readonly FileNames[]): void {
  const bad = files.findIndex((f, i) => i >= chunks.length || !chunkNames(chunks[i], f));
  if (bad < 0 && chunks.length === files.length) return;
  const f = files[bad] ?? null;
  const what = f
    ? `git's patch for ${f.path} ${bad < chunks.length ? `is headed "${chunks[bad].slice(0, chunks[bad].indexOf("\n")).slice(0, 300)}"` : "is missing"}`
    : `git's patch has ${chunks.length} files where the list has ${files.length}`;
  throw new AppError("internal", `${what}, so this diff can't be shown file by file. Download the patch to read the range, or reload to try again.`);
}

/** Whether a chunk's first line is `diff --git a/<old> b/<new>` for this file (git's C quoting too). */
export function chunkNames(chunk: string, f: FileNames): boolean {
  const end = chunk.indexOf("\n");
  const header = end < 0 ? chunk : chunk.slice(0, end);
  return header === `diff --git ${quoted(`a/${f.oldPath ?? f.path}`)} ${quoted(`b/${f.path}`)}`;
}

const ESCAPES: Record<string, string> = { "\x07": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\" };

// git's quote_c_style with core.quotePath=false: a name with a quote, a backslash or a control
// character goes in double quotes, those escaped (octal for controls without a letter).
function quoted(name: string): string {
  if (!/["\\\x00-\x1f\x7f]/.test(name)) return name;
  const body = name.replace(/["\\\x00-\x1f\x7f]/g, (c) => ESCAPES[c] ?? `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`);
  return `"${body}"`;
}

/** A unified patch's per-file chunks, in order (each starts with `diff --git `). */
export function splitPatch(patch: string): string[] {
  return patch.split(/^(?=diff --git )/m).filter((c) => c.startsWith("diff --git "));
}

/** One file's chunk as hunks; past `max` lines none, and `tooLarge`. */
export function parseChunk(chunk: string, max: number): { hunks: DiffHunk[]; tooLarge: boolean } {
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
