import { describe, expect, it } from "vitest";
import type { ThreadDto } from "../../../lib/protocol/review";
import { add, ctx, del, file, hunk } from "./fixtures";
import { defaultRef, groupByPath, keysOfLine, lineKey, placeThreads } from "./line-keys";

function thread(id: string, path: string, side: "old" | "new", line: number, quotedCode = ""): ThreadDto {
  return { id, path, side, line, quotedCode, commitSha: "abc1234", resolved: false, comments: [], createdAt: "2026-01-01T00:00:00Z" };
}

describe("line keys", () => {
  it("keeps paths, sides and lines apart", () => {
    expect(lineKey("a", "new", 1)).not.toBe(lineKey("a", "old", 1));
    expect(lineKey("a:1", "new", 1)).not.toBe(lineKey("a", "new", 11));
  });

  it("gives a context line both of its sides and a changed line its own", () => {
    expect(keysOfLine("f", ctx(3, 5))).toEqual([lineKey("f", "new", 5), lineKey("f", "old", 3)]);
    expect(keysOfLine("f", del(4))).toEqual([lineKey("f", "old", 4)]);
    expect(keysOfLine("f", add(7))).toEqual([lineKey("f", "new", 7)]);
  });

  it("comments on removed lines land on the old side by default", () => {
    expect(defaultRef("f", del(4))).toEqual({ path: "f", side: "old", line: 4 });
    expect(defaultRef("f", ctx(3, 5))).toEqual({ path: "f", side: "new", line: 5 });
  });
});

describe("placeThreads", () => {
  const files = [file("src/a.ts", [hunk([ctx(1, 1, "keep"), del(2, "gone"), add(2, "fresh")])])];

  it("places a thread on its line when the quoted code still matches", () => {
    const p = placeThreads(files, [thread("t1", "src/a.ts", "new", 2, "fresh"), thread("t2", "src/a.ts", "old", 2, "gone")]);
    expect(p.outdated).toEqual([]);
    expect(p.inline.get("src/a.ts")?.get(lineKey("src/a.ts", "new", 2))?.map((t) => t.id)).toEqual(["t1"]);
    expect(p.inline.get("src/a.ts")?.get(lineKey("src/a.ts", "old", 2))?.map((t) => t.id)).toEqual(["t2"]);
  });

  it("calls a thread outdated when its line is absent, on another file, or its code changed", () => {
    const p = placeThreads(files, [thread("gone", "src/a.ts", "new", 40), thread("other", "b.ts", "new", 1), thread("edited", "src/a.ts", "new", 2, "stale")]);
    expect(p.outdated.map((t) => t.id)).toEqual(["gone", "other", "edited"]);
    expect(p.inline.size).toBe(0);
  });

  it("finds threads on either side of a context line", () => {
    const p = placeThreads(files, [thread("old", "src/a.ts", "old", 1, "keep")]);
    expect(p.inline.get("src/a.ts")?.get(lineKey("src/a.ts", "old", 1))?.map((t) => t.id)).toEqual(["old"]);
  });

  it("groups drafts by file", () => {
    const g = groupByPath([{ path: "a", n: 1 }, { path: "b", n: 2 }, { path: "a", n: 3 }]);
    expect(g.get("a")?.map((d) => d.n)).toEqual([1, 3]);
  });
});
