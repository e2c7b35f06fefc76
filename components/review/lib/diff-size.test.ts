import { describe, expect, it } from "vitest";
import { add, ctx, del, file, hunk } from "./fixtures";
import { estimateBodyPx, FOLD_LINES, HUNK_HEADER_PX, isFolded, ROW_PX } from "./diff-size";

describe("diff sizes", () => {
  it("folds files the server left out and files past the line limit", () => {
    expect(isFolded(file("a", [], { tooLarge: true }))).toBe(true);
    const big = file("b", [hunk(Array.from({ length: FOLD_LINES + 1 }, (_, i) => add(i + 1)))]);
    expect(isFolded(big)).toBe(true);
    expect(isFolded(file("c", [hunk([add(1)])]))).toBe(false);
  });

  it("estimates a split view by paired rows and a unified one by lines", () => {
    const f = file("a", [hunk([ctx(1, 1), del(2), del(3), add(2), ctx(4, 3)])]);
    expect(estimateBodyPx(f, "unified", false)).toBe(5 * ROW_PX + HUNK_HEADER_PX);
    expect(estimateBodyPx(f, "split", false)).toBe(4 * ROW_PX + HUNK_HEADER_PX);
  });
});
