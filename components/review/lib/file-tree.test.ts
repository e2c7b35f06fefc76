import { describe, expect, it } from "vitest";
import { add, del, file, hunk } from "./fixtures";
import { buildFileTree, flattenTree, statusMark, type TreeDir } from "./file-tree";

const names = (rows: ReturnType<typeof flattenTree>) => rows.map((r) => `${"  ".repeat(r.depth)}${r.node.name}`);

describe("buildFileTree", () => {
  const files = [
    file("src/components/review/a.tsx", [hunk([add(1), add(2)])]),
    file("src/components/review/b.tsx", [hunk([del(1)])]),
    file("README.md", [hunk([add(1)])]),
    file("src/lib/x.ts", [hunk([add(1)])]),
  ];

  it("groups by folder, folders first, and collapses single-child chains", () => {
    expect(names(flattenTree(buildFileTree(files)))).toEqual(["src", "  components/review", "    a.tsx", "    b.tsx", "  lib", "    x.ts", "README.md"]);
  });

  it("totals additions and deletions per folder and remembers each file's index", () => {
    const tree = buildFileTree(files);
    const src = tree[0] as TreeDir;
    expect([src.additions, src.deletions]).toEqual([3, 1]);
    const rows = flattenTree(tree).filter((r) => r.node.kind === "file");
    expect(rows.map((r) => (r.node.kind === "file" ? r.node.index : -1))).toEqual([0, 1, 3, 2]);
  });

  it("hides the contents of collapsed folders", () => {
    expect(names(flattenTree(buildFileTree(files), new Set(["src/components/review"])))).toEqual(["src", "  components/review", "  lib", "    x.ts", "README.md"]);
  });

  it("keeps hostile names as plain names", () => {
    const tree = buildFileTree([file("<img src=x onerror=alert(1)>.txt")]);
    expect(tree[0].name).toBe("<img src=x onerror=alert(1)>.txt");
  });

  it("marks statuses like git status --short", () => {
    expect(statusMark(file("a", [], { status: "added" }))).toBe("A");
    expect(statusMark(file("a", [], { status: "renamed", oldPath: "b" }))).toBe("R");
    expect(statusMark(file("a", [], { status: "modified", binary: true }))).toBe("B");
  });
});
