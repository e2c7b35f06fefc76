import { describe, expect, it } from "vitest";
import { add, ctx, del, file, hunk } from "./fixtures";
import { commentTarget, stepFile, stepHunk } from "./review-cursor";

const files = [
  file("a.ts", [hunk([ctx(1, 1), add(2)]), hunk([ctx(9, 10), del(10)])]),
  file("logo.png", [], { binary: true, status: "binary" }),
  file("b.ts", [hunk([add(1)])]),
];

describe("stepFile", () => {
  it("starts at the first file, so j goes to the second", () => {
    expect(stepFile(files, null, 1)).toEqual({ file: 1, hunk: null });
    expect(stepFile(files, { file: 2, hunk: 0 }, 1)).toEqual({ file: 2, hunk: null });
    expect(stepFile(files, { file: 0, hunk: null }, -1)).toEqual({ file: 0, hunk: null });
  });
});

describe("stepHunk", () => {
  it("walks hunks across files, skipping a file without any, and stops at the ends", () => {
    let at = stepHunk(files, null, 1);
    expect(at).toEqual({ file: 0, hunk: 0 });
    at = stepHunk(files, at, 1);
    expect(at).toEqual({ file: 0, hunk: 1 });
    at = stepHunk(files, at, 1);
    expect(at).toEqual({ file: 2, hunk: 0 });
    expect(stepHunk(files, at, 1)).toEqual({ file: 2, hunk: 0 });
    expect(stepHunk(files, at, -1)).toEqual({ file: 0, hunk: 1 });
  });

  it("from a file picked with j, goes to its first hunk or the one before it", () => {
    expect(stepHunk(files, { file: 1, hunk: null }, 1)).toEqual({ file: 2, hunk: 0 });
    expect(stepHunk(files, { file: 2, hunk: null }, -1)).toEqual({ file: 0, hunk: 1 });
    expect(stepHunk(files, { file: 0, hunk: null }, -1)).toEqual({ file: 0, hunk: 0 });
  });
});

describe("commentTarget", () => {
  it("picks the first changed line of the hunk, a removed line on the old side", () => {
    expect(commentTarget(files, { file: 0, hunk: 0 })).toEqual({ path: "a.ts", side: "new", line: 2 });
    expect(commentTarget(files, { file: 0, hunk: 1 })).toEqual({ path: "a.ts", side: "old", line: 10 });
    expect(commentTarget(files, null)).toEqual({ path: "a.ts", side: "new", line: 2 });
    expect(commentTarget(files, { file: 1, hunk: null })).toBeNull();
  });
});
