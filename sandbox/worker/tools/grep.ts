// Searches file contents with ripgrep, which skips .gitignore'd and binary files.
import { z } from "zod";
import { ToolError } from "../errors";
import { agentUserOf } from "../agent-user";
import { run } from "../exec";
import { relativeTo, resolveInWorkspace } from "./paths";
import { defineTool } from "./tool";
import { readExclusions } from "../../../lib/permissions/decide";

const MAX_LINES = 500;

const parameters = z.object({
  pattern: z.string().min(1).describe("Regular expression (Rust regex syntax, like grep -E)."),
  path: z.string().optional().describe("File or directory to search, relative to the workspace; default the whole workspace."),
  glob: z.string().optional().describe('Only search files matching this glob, e.g. "*.ts" or "src/**/*.py".'),
});

export const grep = defineTool({
  name: "grep",
  description: `Search file contents with ripgrep. Returns matching lines as path:line:text, at most ${MAX_LINES}.`,
  parameters,
  async execute({ pattern, path, glob }, ctx) {
    const target = relativeTo(ctx.workspace, resolveInWorkspace(ctx.workspace, path ?? "."));
    const args = ["--line-number", "--no-heading", "--color", "never", "--hidden", "--glob", "!.git"];
    args.push("--max-columns", "400", "--max-columns-preview", "--sort", "path");
    if (glob) args.push("--glob", glob);
    // After the agent's glob (ripgrep: the later glob wins): files the read_file rules keep from
    // reading are not searched either (grep must not print what read_file may not).
    for (const ex of readExclusions(ctx.current?.rules ?? { allow: [], ask: [], deny: [] })) args.push("--glob", ex);
    // Without a path rg searches the working directory and prints paths without "./".
    args.push("-e", pattern, ...(target === "." ? [] : ["--", target]));
    const res = await run("rg", args, { cwd: ctx.workspace, user: agentUserOf(ctx.config), signal: ctx.signal });
    if (res.code === 1) return { output: `No matches for ${pattern}${path ? ` in ${path}` : ""}.` };
    if (res.code !== 0 && !res.stdout) throw new ToolError(`grep failed: ${res.stderr.trim() || `rg exited ${res.code}`}`);
    const lines = res.stdout.split("\n").filter(Boolean);
    const more = lines.length > MAX_LINES ? `\n[${lines.length - MAX_LINES} more matching lines; narrow the pattern, path or glob]` : "";
    const warnings = res.code !== 0 && res.stderr ? `\n[rg: ${res.stderr.trim().split("\n")[0]}]` : "";
    return { output: lines.slice(0, MAX_LINES).join("\n") + more + warnings };
  },
});
