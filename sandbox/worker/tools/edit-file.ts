// Replaces one exact occurrence of a string in a file: precise edits without rewriting files.
import fs from "node:fs/promises";
import { z } from "zod";
import { ToolError } from "../errors";
import { fileOp } from "./file-op";
import { resolveForWrite } from "./paths";
import { defineTool, type ToolResult } from "./tool";

const CONTEXT_LINES = 2;

export const editFileParams = z.object({
  path: z.string().min(1).describe("File path, relative to the workspace."),
  old_string: z.string().min(1).describe("The exact text to replace, including whitespace and indentation; must occur exactly once."),
  new_string: z.string().describe("The replacement text."),
});

export const editFile = defineTool({
  name: "edit_file",
  description:
    "Replace exactly one occurrence of old_string with new_string in a file. old_string must match the file exactly " +
    "(read_file first) and be unique: include surrounding lines if needed. To create a file use write_file.",
  parameters: editFileParams,
  execute: (args, ctx) => fileOp(ctx, "edit_file", args, () => editFileIn(ctx.workspace, args)),
});

/** The edit itself, done as the agent (see file-op.ts). */
export async function editFileIn(workspace: string, { path, old_string, new_string }: z.infer<typeof editFileParams>): Promise<ToolResult> {
  const abs = await resolveForWrite(workspace, path);
  const text = await fs.readFile(abs, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") throw new ToolError(`No such file: ${path}. Use write_file to create it.`);
    if (err.code === "EISDIR") throw new ToolError(`${path} is a directory, not a file.`);
    throw err;
  });
  if (old_string === new_string) throw new ToolError("old_string and new_string are the same; nothing to change.");
  const count = text.split(old_string).length - 1;
  if (count === 0) {
    throw new ToolError(`old_string was not found in ${path}. It must match exactly, including whitespace and indentation; read_file the region and copy the text.`);
  }
  if (count > 1) {
    throw new ToolError(`old_string occurs ${count} times in ${path}; add surrounding lines to old_string so that it matches exactly one place.`);
  }
  const at = text.indexOf(old_string);
  const updated = text.slice(0, at) + new_string + text.slice(at + old_string.length);
  await fs.writeFile(abs, updated);

  // Show the edited region so the model can check the result without another read.
  const firstLine = text.slice(0, at).split("\n").length;
  const lines = updated.split("\n");
  const from = Math.max(1, firstLine - CONTEXT_LINES);
  const to = Math.min(lines.length, firstLine + new_string.split("\n").length - 1 + CONTEXT_LINES);
  const snippet = lines.slice(from - 1, to).map((line, i) => `${String(from + i).padStart(6)}\t${line}`);
  return { output: `Edited ${path} at line ${firstLine}:\n${snippet.join("\n")}` };
}
