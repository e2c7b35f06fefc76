// Checkpoint commits in a real temp repository.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkpoint, subjectFrom } from "./checkpoint";

let workspace: string;
const git = (...args: string[]) => execFileSync("git", args, { cwd: workspace, encoding: "utf8" }).trim();

beforeEach(() => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-ckpt-"));
  git("init", "-q", "-b", "work");
  fs.writeFileSync(path.join(workspace, "old.txt"), "a\nb\n");
  git("add", "-A");
  git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init");
});
afterEach(() => fs.rmSync(workspace, { recursive: true, force: true }));

describe("checkpoint", () => {
  it("makes no commit when nothing changed", async () => {
    expect(await checkpoint({ workspace, request: "look around", finalText: "", commands: ["ls"] })).toBeNull();
    expect(git("rev-list", "--count", "HEAD")).toBe("1");
  });

  it("commits everything on the current branch with stats, files and commands", async () => {
    fs.writeFileSync(path.join(workspace, "old.txt"), "a\nc\nd\n");
    fs.writeFileSync(path.join(workspace, "new.txt"), "x\n");
    const commit = await checkpoint({ workspace, request: "Please fix the list.\nDetails follow.", finalText: "Fixed.", commands: ["make test"] });
    expect(commit).toMatchObject({ filesChanged: 2, insertions: 3, deletions: 1 });
    expect(git("rev-parse", "HEAD")).toBe(commit!.sha);
    expect(git("rev-parse", "--abbrev-ref", "HEAD")).toBe("work");
    expect(git("log", "-1", "--format=%B")).toBe(
      "Fix the list\n\nFiles changed:\n  A new.txt\n  M old.txt\n\nCommands run:\n  $ make test",
    );
    expect(git("status", "--porcelain")).toBe("");
  });

  it("derives a short subject from the request", () => {
    expect(subjectFrom("can you add a README? it should explain setup")).toBe("Add a README");
    const long = subjectFrom("implement " + "very ".repeat(30) + "long things");
    expect(long.length).toBeLessThanOrEqual(72);
    expect(long.endsWith("…")).toBe(true);
    expect(subjectFrom("\n\n  ")).toBe("");
  });
});
