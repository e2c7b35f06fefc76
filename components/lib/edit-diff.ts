// A file edit in the transcript as a small diff, in the review viewer's shape (DiffFile) so the
// same rows render it. edit_file carries both sides (old_string → new_string), numbered from the
// line its result names; a write_file that created a file is all additions. A write_file that
// overwrote a file carries no old content, so it has no diff: the call shows its output.
import { diffLines } from "diff";
import type { DiffFile, DiffLine } from "../../lib/protocol/review";
import type { ToolItem } from "./transcript-items";

/** More lines than this are cut: the transcript is not the place to read a whole rewrite. */
export const EDIT_DIFF_MAX_LINES = 400;

export interface EditDiff {
  file: DiffFile;
  /** Lines left out past EDIT_DIFF_MAX_LINES. */
  hidden: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The diff a file tool call made (or, before its result, proposes); null when there is none to show. */
export function editDiff(item: Pick<ToolItem, "name" | "input" | "result">): EditDiff | null {
  const { name, input, result } = item;
  // A failed edit changed nothing: its error message is what matters.
  if (!isRecord(input) || typeof input.path !== "string" || result?.isError) return null;
  if (name === "edit_file" && typeof input.old_string === "string" && typeof input.new_string === "string") {
    return build(input.path, "modified", input.old_string, input.new_string, startLine(result?.output));
  }
  if (name === "write_file" && typeof input.content === "string" && result?.output.startsWith("Created ")) {
    return build(input.path, "added", "", input.content, 1);
  }
  return null;
}

// edit_file answers "Edited <path> at line N:" (sandbox/worker/tools/edit-file.ts).
function startLine(output: string | undefined): number {
  const m = output?.match(/^Edited .* at line (\d+):/);
  return m ? Number(m[1]) : 1;
}

function build(path: string, status: "modified" | "added", before: string, after: string, start: number): EditDiff {
  const lines: DiffLine[] = [];
  let oldLine = start;
  let newLine = start;
  for (const part of diffLines(before, after, { ignoreNewlineAtEof: true })) {
    for (const text of splitLines(part.value)) {
      if (part.added) lines.push({ type: "add", oldLine: null, newLine: newLine++, text });
      else if (part.removed) lines.push({ type: "del", oldLine: oldLine++, newLine: null, text });
      else lines.push({ type: "context", oldLine: oldLine++, newLine: newLine++, text });
    }
  }
  const oldCount = oldLine - start;
  const newCount = newLine - start;
  const shown = lines.slice(0, EDIT_DIFF_MAX_LINES);
  const file: DiffFile = {
    path,
    oldPath: null,
    status,
    binary: false,
    additions: lines.filter((l) => l.type === "add").length,
    deletions: lines.filter((l) => l.type === "del").length,
    hunks: [
      {
        header: `@@ -${status === "added" ? 0 : start},${oldCount} +${start},${newCount} @@`,
        oldStart: status === "added" ? 0 : start,
        oldLines: oldCount,
        newStart: start,
        newLines: newCount,
        lines: shown,
      },
    ],
    tooLarge: false,
  };
  return { file, hidden: lines.length - shown.length };
}

function splitLines(value: string): string[] {
  if (value === "") return [];
  const parts = value.split("\n");
  if (value.endsWith("\n")) parts.pop();
  return parts;
}
