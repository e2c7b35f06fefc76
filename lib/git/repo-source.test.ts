import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeRepo } from "../../test/fixtures";
import { checkBranchName, parseRepoSource, probeRepo } from "./repo-source";

describe("repository input", () => {
  it("accepts https URLs and absolute local paths", () => {
    expect(parseRepoSource("https://example.com/org/repo.git", []).kind).toBe("https");
    const repo = makeRepo();
    expect(parseRepoSource(repo, []).location).toBe(fs.realpathSync(repo));
  });

  it.each([
    ["ext::sh -c touch% /tmp/pwned", /https|absolute/],
    ["file:///etc", /only https/],
    ["ssh://git@example.com/repo", /only https/],
    ["git@github.com:org/repo.git", /only https/],
    ["ext::sh -c id", /only https/],
    ["https://user:secret@example.com/repo.git", /credentials/],
    ["--upload-pack=touch /tmp/pwned", /https URL or a path/],
    ["relative/path", /absolute path/],
    ["/nonexistent/dockside/repo", /no such directory/],
    ["https://example.com/a\nb", /control characters/],
  ])("refuses %s", (input, message) => {
    expect(() => parseRepoSource(input, [])).toThrow(message);
  });

  it("keeps local paths inside DOCKSIDE_REPO_ROOTS, symlinks included", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "roots-"));
    const inside = makeRepo();
    const link = path.join(root, "link");
    fs.symlinkSync(inside, link);
    expect(() => parseRepoSource(link, [root])).toThrow(/outside the allowed repository roots/);
    expect(() => parseRepoSource(inside, [path.dirname(inside)])).not.toThrow();
  });

  it("lists branches and the default branch of a real repository", async () => {
    const repo = makeRepo({ "a.txt": "a" }, ["feature/x"]);
    const info = await probeRepo(parseRepoSource(repo, []));
    expect(info.defaultBranch).toBe("main");
    expect([...info.branches.keys()].sort()).toEqual(["feature/x", "main"]);
  });

  it("says a directory is not a git repository", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "notgit-"));
    await expect(probeRepo(parseRepoSource(dir, []))).rejects.toThrow(/is not a git repository/);
  });

  it.each(["-x", "a..b", "a b", "x~1", "refs/heads/../x", "a:b", ""])("refuses branch name %j", async (name) => {
    await expect(checkBranchName(name)).rejects.toThrow(/not a valid branch name/);
  });
});
