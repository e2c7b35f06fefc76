import { describe, expect, it } from "vitest";
import type { DiffFile, DiffPage } from "../../../lib/protocol/review";
import { DiffPager, pageStarts, PAGE_LINES } from "./diff-pager";
import type { ApiResult } from "./review-api";

const file = (path: string, additions: number, deletions = 0): DiffFile => ({ path, oldPath: null, status: "modified", binary: false, additions, deletions, hunks: [], tooLarge: false, deferred: true });
const loaded = (f: DiffFile): DiffFile => ({ ...f, deferred: undefined, hunks: [{ header: "@@ -1 +1 @@", oldStart: 1, oldLines: 1, newStart: 1, newLines: 1, lines: [{ type: "add", oldLine: null, newLine: 1, text: f.path }] }] });

describe("the diff's pages", () => {
  it("cuts runs of files by changed lines; a folded file weighs nothing", () => {
    const files = [file("a", PAGE_LINES - 10), file("b", 5), file("c", 20), file("huge", 50_000), file("d", 1)];
    expect(pageStarts(files)).toEqual([0, 2]);
    expect(pageStarts([])).toEqual([]);
  });

  it("loads what was asked for last first, two at a time, once each, and hands over merged files", async () => {
    const files = Array.from({ length: 6 }, (_, i) => file(`f${i}`, PAGE_LINES));
    const asked: [number, number][] = [];
    const answers: (() => void)[] = [];
    const seen: (readonly DiffFile[])[] = [];
    const pager = new DiffPager(
      files,
      (offset, limit) =>
        new Promise<ApiResult<DiffPage>>((resolve) => {
          asked.push([offset, limit]);
          answers.push(() => resolve({ ok: true, status: 200, data: { from: "a", to: "b", offset, files: files.slice(offset, offset + limit).map(loaded) } }));
        }),
      (f) => seen.push(f),
      () => {},
    );
    pager.demand(0);
    pager.demand(1);
    pager.demand(2);
    pager.demand(5);
    pager.demand(1);
    expect(asked).toEqual([[0, 1], [1, 1]]);
    answers.shift()!();
    await new Promise((r) => setTimeout(r, 0));
    // The latest wish (file 5) before the older one (file 2).
    expect(asked).toEqual([[0, 1], [1, 1], [5, 1]]);
    expect(seen.at(-1)!.map((f) => f.deferred ?? false)).toEqual([false, true, true, true, true, true]);
    for (const a of answers.splice(0)) a();
    await new Promise((r) => setTimeout(r, 0));
    for (const a of answers.splice(0)) a();
    await new Promise((r) => setTimeout(r, 0));
    expect(asked.map((a) => a[0]).sort()).toEqual([0, 1, 2, 5]);
    expect(seen.at(-1)!.filter((f) => !f.deferred).map((f) => f.path)).toEqual(["f0", "f1", "f2", "f5"]);
    pager.demand(0);
    expect(asked).toHaveLength(4);
  });
});

describe("a page that fails", () => {
  it("marks its files with the server's words, and asks again only on a retry", async () => {
    const files = [file("a", 10), file("b", 10)];
    let calls = 0;
    let fail = true;
    const seen: (readonly DiffFile[])[] = [];
    const pager = new DiffPager(
      files,
      async (offset, limit) => {
        calls++;
        return fail ? { ok: false, status: 500, code: "internal", message: "git's patch for a is missing" } : { ok: true, status: 200, data: { from: "x", to: "y", offset, files: files.slice(offset, offset + limit).map(loaded) } };
      },
      (f) => seen.push(f),
      () => {},
    );
    pager.demand(1);
    await new Promise((r) => setTimeout(r, 0));
    expect([pager.errorAt(0), pager.errorAt(1)]).toEqual(["git's patch for a is missing", "git's patch for a is missing"]);
    // New objects, so the files' views show the error.
    expect(seen.at(-1)![0]).not.toBe(files[0]);
    pager.demand(0);
    expect(calls).toBe(1);
    fail = false;
    pager.demand(0, false, true);
    expect(pager.errorAt(0)).toBeNull();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toBe(2);
    expect(seen.at(-1)!.map((f) => f.deferred ?? false)).toEqual([false, false]);
  });
});
