// What setup leaves in the workspace (dependencies, build outputs) is the environment's, not the
// agent's work: paths git does not track and the repository does not already ignore are added to
// .git/info/exclude (as the agent, in its own repository), so the first checkpoint's `git add -A`
// does not commit node_modules/ into the session branch.
import fs from "node:fs";
import path from "node:path";
import type { AgentUser } from "../agent-user";
import { run } from "../exec";

const MAX_ENTRIES = 10_000;

/** Anchored gitignore pattern for a path git printed (glob characters and leading #/! escaped). */
export function excludePattern(rel: string): string {
  const escaped = rel.replace(/[\\*?[\]]/g, "\\$&").replace(/^([#!])/, "\\$1").replace(/ $/, "\\ ");
  return `/${escaped}`;
}

/** Adds the workspace's untracked, not yet ignored paths to .git/info/exclude; resolves to how many. */
export async function excludeSetupResults(workspace: string, user: AgentUser, signal?: AbortSignal): Promise<number> {
  const r = await run("git", ["-c", "safe.directory=*", "-c", "core.fsmonitor=false", "ls-files", "-z", "--others", "--directory", "--exclude-standard"], { cwd: workspace, user, signal, timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`git ls-files failed: ${r.stderr.trim().slice(0, 300)}`);
  const paths = r.stdout.split("\0").filter(Boolean).slice(0, MAX_ENTRIES);
  if (!paths.length) return 0;
  const lines = ["# left by Dockside's setup phase (the environment, not the agent's work)", ...paths.map(excludePattern)].join("\n") + "\n";
  // Written by a program running as the agent (its own repository; the worker's root cannot write there).
  const file = path.join(workspace, ".git", "info", "exclude");
  const script = 'mkdir -p "$(dirname "$1")" && cat >> "$1"';
  const w = await run("sh", ["-c", script, "sh", file], { cwd: workspace, user, signal, input: lines, timeoutMs: 30_000 });
  if (w.code !== 0) throw new Error(`could not write ${file}: ${w.stderr.trim().slice(0, 300)}`);
  return fs.existsSync(file) ? paths.length : 0;
}
