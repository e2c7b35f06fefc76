import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeRepo } from "../../test/fixtures";
import { parsePatchHunks } from "./diff-parse";
import { diffJson } from "./git-read";

const g = (repo: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "-C", repo, ...args], { encoding: "utf8" }).trim();

describe("structured diffs from real git", () => {
  it("reports added, deleted, renamed, binary and oddly named files as such", async () => {
    const big = Array.from({ length: 50 }, (_, i) => `line ${i}`).join("\n") + "\n";
    const repo = makeRepo({ "keep.txt": "a\nb\nc\n", "gone.txt": "bye\n", "old name.md": big, "img.bin": "\u0000\u0001x" });
    fs.chmodSync(repo, 0o755); // git reads it as the sandbox user, as it does workspaces
    const base = g(repo, "rev-parse", "HEAD");
    fs.writeFileSync(path.join(repo, "keep.txt"), "a\nB\nc\nd\n");
    fs.rmSync(path.join(repo, "gone.txt"));
    fs.renameSync(path.join(repo, "old name.md"), path.join(repo, "new\tname.md"));
    fs.writeFileSync(path.join(repo, "img.bin"), "\u0000\u0002yy");
    fs.writeFileSync(path.join(repo, '<img src=x onerror="alert(1)">.txt'), "<script>alert(1)</script>\n");
    // Names shaped like git's own records (a raw header, a numstat line): read by position, not text.
    fs.writeFileSync(path.join(repo, ":100644 100644 abc def M"), "x\n");
    fs.writeFileSync(path.join(repo, "3\t4\tnot-a-count"), "y\ny\n");
    g(repo, "add", "-A");
    g(repo, "commit", "-qm", "change");
    const d = await diffJson(path.join(repo, ".git"), base, g(repo, "rev-parse", "HEAD"));
    const by = Object.fromEntries(d.files.map((f) => [f.path, f]));
    expect(by["keep.txt"]).toMatchObject({ status: "modified", additions: 2, deletions: 1 });
    expect(by["keep.txt"].hunks[0].lines.map((l) => [l.type, l.oldLine, l.newLine, l.text])).toEqual([
      ["context", 1, 1, "a"],
      ["del", 2, null, "b"],
      ["add", null, 2, "B"],
      ["context", 3, 3, "c"],
      ["add", null, 4, "d"],
    ]);
    expect(by["gone.txt"]).toMatchObject({ status: "deleted", deletions: 1 });
    expect(by["new\tname.md"]).toMatchObject({ status: "renamed", oldPath: "old name.md" });
    expect(by["img.bin"]).toMatchObject({ status: "binary", binary: true, hunks: [] });
    expect(by['<img src=x onerror="alert(1)">.txt']).toMatchObject({ status: "added", additions: 1 });
    expect(by['<img src=x onerror="alert(1)">.txt'].hunks[0].lines[0].text).toBe("<script>alert(1)</script>");
    expect(by[":100644 100644 abc def M"]).toMatchObject({ status: "added", additions: 1 });
    expect(by["3\t4\tnot-a-count"]).toMatchObject({ status: "added", additions: 2 });
    expect(d.files).toHaveLength(7);
  });
});

describe("hunks matched to their files", () => {
  const chunk = (a: string, b: string, line: string) => `diff --git ${a} ${b}\nindex 1..2 100644\n--- ${a}\n+++ ${b}\n@@ -1 +1 @@\n-old\n+${line}\n`;

  it("takes each chunk for the file its header names, quoted names included", () => {
    const patch = chunk("a/x.ts", "b/x.ts", "x") + chunk("a/old name.md", '"b/new\\tname.md"', "moved") + chunk('"a/q\\"uote"', '"b/q\\"uote"', "q");
    const files = [
      { path: "x.ts", oldPath: null },
      { path: "new\tname.md", oldPath: "old name.md" },
      { path: 'q"uote', oldPath: null },
    ];
    expect(parsePatchHunks(patch, 100, files).map((h) => h.hunks[0].lines[1].text)).toEqual(["x", "moved", "q"]);
  });

  it("refuses a patch whose chunks name other files than the list, saying which", () => {
    // Two files whose chunks came back in the other order: by count they would pair up wrongly.
    const patch = chunk("a/b.ts", "b/b.ts", "bee") + chunk("a/a.ts", "b/a.ts", "ay");
    const files = [
      { path: "a.ts", oldPath: null },
      { path: "b.ts", oldPath: null },
    ];
    expect(() => parsePatchHunks(patch, 100, files)).toThrow(/patch for a\.ts is headed "diff --git a\/b\.ts b\/b\.ts".*Download the patch/);
    expect(() => parsePatchHunks(chunk("a/a.ts", "b/a.ts", "ay"), 100, files)).toThrow(/patch for b\.ts is missing/);
    expect(() => parsePatchHunks(patch, 100, [files[1]])).toThrow(/has 2 files where the list has 1/);
  });
});
