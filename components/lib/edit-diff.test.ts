import { describe, expect, it } from "vitest";
import { EDIT_DIFF_MAX_LINES, editDiff } from "./edit-diff";

const ok = (output: string) => ({ callId: "c", isError: false, exitCode: null, output, truncated: false, durationMs: 1 });

describe("editDiff", () => {
  it("shows an edit_file call as removed and added lines, numbered from where it edited", () => {
    const d = editDiff({
      name: "edit_file",
      input: { path: "src/a.ts", old_string: "const a = 1;\nconst b = 2;\nconst c = 3;", new_string: "const a = 1;\nconst b = 20;\nconst c = 3;" },
      result: ok("Edited src/a.ts at line 12:\n    10\t…"),
    });
    expect(d?.file).toMatchObject({ path: "src/a.ts", additions: 1, deletions: 1, status: "modified" });
    expect(d?.file.hunks[0].lines).toEqual([
      { type: "context", oldLine: 12, newLine: 12, text: "const a = 1;" },
      { type: "del", oldLine: 13, newLine: null, text: "const b = 2;" },
      { type: "add", oldLine: null, newLine: 13, text: "const b = 20;" },
      { type: "context", oldLine: 14, newLine: 14, text: "const c = 3;" },
    ]);
    expect(d?.file.hunks[0].header).toBe("@@ -12,3 +12,3 @@");
  });

  it("shows the proposed edit before it ran (an approval waits on it), but not one that failed", () => {
    const input = { path: "a.txt", old_string: "x", new_string: "y" };
    expect(editDiff({ name: "edit_file", input })?.file.hunks[0].lines.map((l) => l.type)).toEqual(["del", "add"]);
    expect(editDiff({ name: "edit_file", input, result: { ...ok("old_string was not found in a.txt."), isError: true } })).toBeNull();
  });

  it("shows a file write_file created as all additions; an overwrite has no old side to compare", () => {
    const input = { path: "new.md", content: "# Title\n\nBody\n" };
    const created = editDiff({ name: "write_file", input, result: ok("Created new.md (15 bytes, 3 lines).") });
    expect(created?.file).toMatchObject({ status: "added", additions: 3, deletions: 0 });
    expect(editDiff({ name: "write_file", input, result: ok("Overwrote new.md (15 bytes, 3 lines).") })).toBeNull();
    expect(editDiff({ name: "shell", input: { command: "ls" }, result: ok("") })).toBeNull();
  });

  it("cuts a huge rewrite and says how much is left out", () => {
    const content = Array.from({ length: EDIT_DIFF_MAX_LINES + 50 }, (_, i) => `line ${i}`).join("\n");
    const d = editDiff({ name: "write_file", input: { path: "big.txt", content }, result: ok("Created big.txt") });
    expect(d?.file.hunks[0].lines).toHaveLength(EDIT_DIFF_MAX_LINES);
    expect(d?.hidden).toBe(50);
    expect(d?.file.additions).toBe(EDIT_DIFF_MAX_LINES + 50);
  });
});
