import { describe, expect, it } from "vitest";
import type { CommitDto } from "../../../lib/protocol/review";
import { diffQuery, diffUrl, inRange, singleCommit, spanCommits } from "./range";

const commit = (sha: string): CommitDto => ({ sha, subject: sha, body: "", author: "a", date: "2026-01-01T00:00:00Z", filesChanged: 1, additions: 1, deletions: 0 });
const commits = ["c1", "c2", "c3"].map(commit);
const rc = { base: "b0", head: "c3", lastReviewed: "c1" };

describe("ranges", () => {
  it("asks for base..head by default and lastReviewed..head for changes since my review", () => {
    expect(diffQuery({ kind: "all" }, rc)).toEqual({});
    expect(diffQuery({ kind: "since" }, rc)).toEqual({ from: "c1", to: "c3" });
    expect(diffQuery({ kind: "since" }, { ...rc, lastReviewed: null })).toEqual({});
  });

  it("shows one checkpoint against its predecessor, the first against the base", () => {
    expect(singleCommit("b0", commits, "c2")).toEqual({ kind: "custom", from: "c1", to: "c2" });
    expect(singleCommit("b0", commits, "c1")).toEqual({ kind: "custom", from: "b0", to: "c1" });
    expect(singleCommit("b0", commits, "zz")).toBeNull();
  });

  it("spans two checkpoints in either order", () => {
    expect(spanCommits("b0", commits, "c3", "c2")).toEqual({ kind: "custom", from: "c1", to: "c3" });
  });

  it("knows which checkpoints a range covers", () => {
    const sel = { kind: "custom" as const, from: "c1", to: "c3" };
    expect(commits.map((c) => inRange(sel, rc, commits, c.sha))).toEqual([false, true, true]);
    expect(commits.map((c) => inRange({ kind: "all" }, rc, commits, c.sha))).toEqual([true, true, true]);
  });

  it("builds the diff URL with escaped parts", () => {
    expect(diffUrl("a/b", { from: "c1" })).toBe("/api/sessions/a%2Fb/diff?format=json&from=c1");
  });
});
