// Shows a text file with line numbers, so the model can quote exact text for edit_file.
import fs from "node:fs/promises";
import { z } from "zod";
import { ToolError } from "../errors";
import { fileOp } from "./file-op";
import { resolveInWorkspace } from "./paths";
import { defineTool, type ToolResult } from "./tool";

const MAX_LINES = 2000;
const MAX_FILE_BYTES = 20 * 1024 * 1024;

export const readFileParams = z.object({
  path: z.string().min(1).describe("File path, relative to the workspace."),
  start_line: z.number().int().positive().optional().describe("First line to show (1-based)."),
  end_line: z.number().int().positive().optional().describe("Last line to show (inclusive)."),
});

export const readFile = defineTool({
  name: "read_file",
  description: `Read a text file from the workspace, with line numbers. At most ${MAX_LINES} lines at a time; use start_line and end_line for more.`,
  parameters: readFileParams,
  execute: (args, ctx) => fileOp(ctx, "read_file", args, () => readFileIn(ctx.workspace, args)),
});

/** The read itself, done as the agent (see file-op.ts). */
export async function readFileIn(workspace: string, { path, start_line, end_line }: z.infer<typeof readFileParams>): Promise<ToolResult> {
  const abs = resolveInWorkspace(workspace, path);
  const stat = await fs.stat(abs).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") throw new ToolError(`No such file: ${path}. Use glob to find files.`);
    throw err;
  });
  if (stat.isDirectory()) throw new ToolError(`${path} is a directory, not a file; use glob with "${path}/**" to list it.`);
  if (stat.size > MAX_FILE_BYTES) throw new ToolError(`${path} is ${stat.size} bytes, too large to read; use grep, or shell with sed -n.`);
  const buf = await fs.readFile(abs);
  if (buf.subarray(0, 8192).includes(0)) throw new ToolError(`${path} is a binary file (${stat.size} bytes); it can't be shown as text.`);
  if (!buf.length) return { output: `(${path} is empty)` };

  const text = buf.toString("utf8");
  const lines = (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
  const start = start_line ?? 1;
  if (start > lines.length) throw new ToolError(`${path} has only ${lines.length} lines; start_line ${start} is past the end.`);
  if (end_line !== undefined && end_line < start) throw new ToolError(`end_line (${end_line}) is before start_line (${start}).`);
  const end = Math.min(end_line ?? lines.length, lines.length, start + MAX_LINES - 1);
  const shown = lines.slice(start - 1, end).map((line, i) => `${String(start + i).padStart(6)}\t${line}`);
  const more = end < lines.length ? `\n[showing lines ${start}-${end} of ${lines.length}; use start_line to read on]` : "";
  return { output: shown.join("\n") + more };
}
