import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeRepo } from "../../test/fixtures";
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
  });
});
