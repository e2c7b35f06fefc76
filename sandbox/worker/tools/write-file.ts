// Creates or overwrites a file, creating its parent directories.
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { ToolError } from "../errors";
import { resolveForWrite } from "./paths";
import { defineTool } from "./tool";

const parameters = z.object({
  path: z.string().min(1).describe("File path, relative to the workspace."),
  content: z.string().describe("The complete new content of the file."),
});

export const writeFile = defineTool({
  name: "write_file",
  description: "Create a file or replace its whole content. Parent directories are created. For small changes to an existing file prefer edit_file.",
  parameters,
  async execute({ path: p, content }, ctx) {
    const abs = await resolveForWrite(ctx.workspace, p);
    const existing = await fs.stat(abs).catch(() => null);
    if (existing?.isDirectory()) throw new ToolError(`${p} is a directory; give a file path.`);
    await fs.mkdir(path.dirname(abs), { recursive: true });
    await fs.writeFile(abs, content);
    const lines = content ? content.split("\n").length - (content.endsWith("\n") ? 1 : 0) : 0;
    return { output: `${existing ? "Overwrote" : "Created"} ${p} (${Buffer.byteLength(content)} bytes, ${lines} lines).` };
  },
});
