// Finds the AGENTS.md and CLAUDE.md files anywhere in the workspace (ripgrep as the agent's uid,
// not descending into directories .gitignore names), for buildSystemPrompt's `listFiles`.
import { agentUserOf } from "../agent-user";
import { run } from "../exec";
import type { WorkerConfig } from "../../../lib/protocol/worker";
import { INSTRUCTION_FILES } from "./system";

export async function listInstructionFiles(workspace: string, config: WorkerConfig, signal?: AbortSignal): Promise<string[]> {
  const globs = INSTRUCTION_FILES.flatMap((name) => ["--glob", `**/${name}`]);
  // The top-level names are given as paths too, so a top-level symlink is listed (and then read,
  // as the agent) as before; rg says "No such file" for the absent ones and lists the rest.
  const listed = await run("rg", ["--files", "--hidden", "--glob", "!.git", ...globs, "--", ".", ...INSTRUCTION_FILES], { cwd: workspace, user: agentUserOf(config), signal });
  if (listed.code !== 0 && listed.code !== 1 && listed.code !== 2) throw new Error(`rg ended with ${listed.code}: ${listed.stderr.slice(0, 200)}`);
  return [...new Set(listed.stdout.split("\n").filter(Boolean).map((p) => p.replace(/^\.\//, "")))].sort();
}
