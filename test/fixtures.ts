// Helpers for tests: real git repositories on disk and polling for a condition.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** A local git repository with one commit on `main` (and any extra branches). */
export function makeRepo(files: Record<string, string> = { "README.md": "# demo\n" }, extraBranches: string[] = []): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-repo-"));
  const g = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: dir, stdio: "pipe" });
  g("init", "-q", "-b", "main");
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  g("add", "-A");
  g("commit", "-q", "-m", "initial");
  for (const b of extraBranches) g("branch", b);
  return dir;
}

export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 60_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
