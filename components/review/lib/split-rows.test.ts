import { describe, expect, it } from "vitest";
import { add, ctx, del, hunk } from "./fixtures";
import { splitRows } from "./split-rows";

const show = (rows: ReturnType<typeof splitRows>) => rows.map((r) => `${r.left?.text ?? "-"}|${r.right?.text ?? "-"}`);

describe("splitRows", () => {
  it("puts context on both sides and pairs removals with the additions that follow", () => {
    const rows = splitRows(hunk([ctx(1, 1), del(2), del(3), add(2), ctx(4, 3)]));
    expect(show(rows)).toEqual(["c1|c1", "d2|a2", "d3|-", "c3|c3"]);
  });

  it("leaves the left side empty for pure additions and the right for pure removals", () => {
    expect(show(splitRows(hunk([add(1), add(2)])))).toEqual(["-|a1", "-|a2"]);
    expect(show(splitRows(hunk([del(1)])))).toEqual(["d1|-"]);
  });

  it("starts a new block when a removal follows additions", () => {
    const rows = splitRows(hunk([del(1), add(1), add(2), del(2), add(3)]));
    expect(show(rows)).toEqual(["d1|a1", "-|a2", "d2|a3"]);
  });

  it("keeps every line exactly once per side", () => {
    const lines = [ctx(1, 1), del(2), add(2), add(3), ctx(3, 4), del(4), del(5), ctx(6, 5)];
    const rows = splitRows(hunk(lines));
    const left = rows.flatMap((r) => (r.left ? [r.left] : []));
    const right = rows.flatMap((r) => (r.right ? [r.right] : []));
    expect(left).toEqual(lines.filter((l) => l.type !== "add"));
    expect(right).toEqual(lines.filter((l) => l.type !== "del"));
  });
});
