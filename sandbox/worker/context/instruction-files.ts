// Finds the AGENTS.md and CLAUDE.md files anywhere in the workspace (ripgrep as the agent's uid,
// not descending into directories .gitignore names), for buildSystemPrompt's `listFiles`.
import { agentUserOf } from "../agent-user";
import { run } from "../exec";
import type { WorkerConfig } from "../../../lib/protocol/worker";
import { INSTRUCTION_FILES } from "./system";

const LIST_TIMEOUT_MS = 10_000;

export async function listInstructionFiles(workspace: string, config: WorkerConfig, signal?: AbortSignal): Promise<string[]> {
  const globs = INSTRUCTION_FILES.flatMap((name) => ["--glob", `**/${name}`]);
  // The top-level names are given as paths too, so a top-level symlink is listed (and then read,
  // as the agent) as before; rg says "No such file" for the absent ones and lists the rest. A
  // repository's `AGENTS.md -> /` would have rg walk whatever it points at: it stays on one
  // filesystem, what it finds under such a name is dropped, and the session's first model request
  // waits 10 s at most (then the prompt is built without the listing).
  const listed = await run("rg", ["--files", "--hidden", "--one-file-system", "--glob", "!.git", ...globs, "--", ".", ...INSTRUCTION_FILES], { cwd: workspace, user: agentUserOf(config), signal, timeoutMs: LIST_TIMEOUT_MS, maxBytes: 1024 * 1024 });
  if (listed.timedOut) throw new Error(`listing the instruction files took over ${LIST_TIMEOUT_MS / 1000} s`);
  if (listed.code !== 0 && listed.code !== 1 && listed.code !== 2) throw new Error(`rg ended with ${listed.code}: ${listed.stderr.slice(0, 200)}`);
  const paths = listed.stdout.split("\n").filter(Boolean).map((p) => p.replace(/^\.\//, ""));
  return [...new Set(paths.filter((p) => !INSTRUCTION_FILES.some((name) => p.startsWith(`${name}/`))))].sort();
}
