// Creates or overwrites a file, creating its parent directories.
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ToolError } from "../errors";
import { fileOp } from "./file-op";
import { resolveForWrite } from "./paths";
import { defineTool, type ToolResult } from "./tool";

export const writeFileParams = z.object({
  path: z.string().min(1).describe("File path, relative to the workspace."),
  content: z.string().describe("The complete new content of the file."),
});

export const writeFile = defineTool({
  name: "write_file",
  description: "Create a file or replace its whole content. Parent directories are created. For small changes to an existing file prefer edit_file.",
  parameters: writeFileParams,
  execute: (args, ctx) => fileOp(ctx, "write_file", args, () => writeFileIn(ctx.workspace, args)),
});

/** The write itself, done as the agent (see file-op.ts). */
export async function writeFileIn(workspace: string, { path: p, content }: z.infer<typeof writeFileParams>): Promise<ToolResult> {
  const abs = await resolveForWrite(workspace, p);
  const existing = await fs.stat(abs).catch(() => null);
  if (existing?.isDirectory()) throw new ToolError(`${p} is a directory; give a file path.`);
  await fs.mkdir(path.dirname(abs), { recursive: true });
  await fs.writeFile(abs, content);
  const lines = content ? content.split("\n").length - (content.endsWith("\n") ? 1 : 0) : 0;
  return { output: `${existing ? "Overwrote" : "Created"} ${p} (${Buffer.byteLength(content)} bytes, ${lines} lines).` };
}
