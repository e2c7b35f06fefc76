// The instruction-file listing with the real ripgrep in a real directory: one process names the
// top-level files too (so the system prompt reads only files that are there), nested ones, ones
// a top-level symlink, as before; never anything under .git or in a directory .gitignore names.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { testConfig } from "../testing/config";
import { listInstructionFiles } from "./instruction-files";

let dir: string;
const config = testConfig({ sessionId: "s-instr", agentUid: process.getuid!(), agentGid: process.getgid!() });

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-instr-"));
  execFileSync("git", ["init", "-q", dir]);
  const put = (p: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), text);
  };
  put("README.md", "not an instruction file");
  put("pkg/api/AGENTS.md", "nested");
  put("ignored/CLAUDE.md", "in an ignored directory: not searched");
  put(".gitignore", "ignored/\n");
  put(".git/AGENTS.md", "inside .git: never listed");
  put("docs/real-agents.md", "the real text");
  fs.symlinkSync("docs/real-agents.md", path.join(dir, "AGENTS.md"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it("lists the top-level file (a symlink here) and nested ones, nothing under .git or in an ignored directory", async () => {
  expect(await listInstructionFiles(dir, config)).toEqual(["AGENTS.md", "pkg/api/AGENTS.md"]);
});

it("an absent top-level name is simply not listed", async () => {
  fs.rmSync(path.join(dir, "AGENTS.md"));
  expect(await listInstructionFiles(dir, config)).toEqual(["pkg/api/AGENTS.md"]);
});

it("a top-level name that is a link to a directory lists nothing under it", async () => {
  // A repository's `AGENTS.md -> /` would have rg walk the container: what it finds there is dropped
  // (and the walk stays on one filesystem, with a time limit).
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-instr-dir-"));
  fs.mkdirSync(path.join(elsewhere, "deep"));
  fs.writeFileSync(path.join(elsewhere, "deep", "AGENTS.md"), "not the repository's");
  fs.symlinkSync(elsewhere, path.join(dir, "AGENTS.md"));
  try {
    expect(await listInstructionFiles(dir, config)).toEqual(["pkg/api/AGENTS.md"]);
  } finally {
    fs.rmSync(path.join(dir, "AGENTS.md"));
    fs.rmSync(elsewhere, { recursive: true, force: true });
  }
});
