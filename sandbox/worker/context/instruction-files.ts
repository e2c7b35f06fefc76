// Finds the AGENTS.md and CLAUDE.md files anywhere in the workspace (ripgrep as the agent's uid,
// honouring .gitignore), for buildSystemPrompt's `listFiles`.
import { agentUserOf } from "../agent-user";
import { run } from "../exec";
import type { WorkerConfig } from "../../../lib/protocol/worker";
import { INSTRUCTION_FILES } from "./system";

export async function listInstructionFiles(workspace: string, config: WorkerConfig, signal?: AbortSignal): Promise<string[]> {
  const globs = INSTRUCTION_FILES.flatMap((name) => ["--glob", `**/${name}`]);
  const listed = await run("rg", ["--files", "--hidden", "--glob", "!.git", ...globs], { cwd: workspace, user: agentUserOf(config), signal });
  return listed.stdout.split("\n").filter(Boolean).sort();
}
