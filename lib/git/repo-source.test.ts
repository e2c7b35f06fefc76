import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeRepo } from "../../test/fixtures";
import { env } from "../config/env";
import { checkBranchName, parseRepoSource, probeRepo, repoKey } from "./repo-source";

// test/global-setup.ts allows the temporary directory, where makeRepo puts repositories.
const tmp = fs.realpathSync(os.tmpdir());
const roots = [tmp];

describe("repository input", () => {
  it("accepts https URLs and absolute local paths under the roots", () => {
    expect(parseRepoSource("https://example.com/org/repo.git", []).kind).toBe("https");
    const repo = makeRepo();
    expect(parseRepoSource(repo, roots).location).toBe(fs.realpathSync(repo));
    expect(parseRepoSource(repo).key).toBe(fs.realpathSync(repo));
  });

  it("refuses every local path when DOCKSIDE_REPO_ROOTS is unset, and says what to do", () => {
    expect(() => parseRepoSource(makeRepo(), [])).toThrow(/local repository paths are turned off.*DOCKSIDE_REPO_ROOTS/);
  });

  it("refuses Dockside's data directory and checkout, directly, through a symlink, or above them, even inside the roots", () => {
    const dataDir = env().dataDir;
    const inData = path.join(dataDir, "sessions", "someone", "workspace");
    fs.mkdirSync(inData, { recursive: true });
    const link = path.join(fs.mkdtempSync(path.join(tmp, "link-")), "repo");
    fs.symlinkSync(inData, link);
    const checkout = process.cwd();
    const linkToCheckout = path.join(fs.mkdtempSync(path.join(tmp, "link-")), "dockside");
    fs.symlinkSync(checkout, linkToCheckout);
    for (const p of [dataDir, inData, link, linkToCheckout, path.dirname(dataDir)]) {
      expect(() => parseRepoSource(p, roots), p).toThrow(/part of Dockside's own files/);
    }
    // Even with roots that include them.
    expect(() => parseRepoSource(checkout, ["/"])).toThrow(/part of Dockside's own files/);
    expect(() => parseRepoSource(path.join(checkout, "lib"), [checkout])).toThrow(/part of Dockside's own files/);
  });

  it("normalizes https URLs into one key: case of scheme and host, default port, trailing slash and .git", () => {
    const keys = ["https://Example.COM/org/Repo.git", "HTTPS://example.com:443/org/Repo/", "https://example.com/org/Repo", "https://example.com/org/Repo.git/"].map(
      (u) => parseRepoSource(u, []).key,
    );
    expect(new Set(keys)).toEqual(new Set(["https://example.com/org/Repo"]));
    expect(parseRepoSource("https://example.com:8443/org/repo", []).key).toBe("https://example.com:8443/org/repo");
    expect(repoKey("https://example.com/org/Repo.git")).toBe("https://example.com/org/Repo");
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
    expect(() => parseRepoSource(input, roots)).toThrow(message);
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
    const info = await probeRepo(parseRepoSource(repo, roots));
    expect(info.defaultBranch).toBe("main");
    expect([...info.branches.keys()].sort()).toEqual(["feature/x", "main"]);
  });

  it("says a directory is not a git repository", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "notgit-"));
    await expect(probeRepo(parseRepoSource(dir, roots))).rejects.toThrow(/is not a git repository/);
  });

  it.each(["-x", "a..b", "a b", "x~1", "refs/heads/../x", "a:b", ""])("refuses branch name %j", async (name) => {
    await expect(checkBranchName(name)).rejects.toThrow(/not a valid branch name/);
  });
});
