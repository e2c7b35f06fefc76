// The tools the model gets, and their API definitions (JSON schema derived from the zod schemas).
import { z } from "zod";
import { editFile } from "./edit-file";
import { exitPlanMode } from "./exit-plan-mode";
import { glob } from "./glob";
import { grep } from "./grep";
import { readFile } from "./read-file";
import { recall, remember } from "./memory-tools";
import { report } from "./report";
import { shell } from "./shell";
import { todoWrite } from "./todo";
import type { Tool } from "./tool";
import { writeFile } from "./write-file";

// Fixed for the life of a session (the tools head the cached prompt prefix).
export const TOOLS: Tool[] = [shell, readFile, writeFile, editFile, glob, grep, todoWrite, exitPlanMode, remember, recall, report];

export type ToolDefinition = { name: string; description: string; input_schema: { type: "object"; [key: string]: unknown } };

/** The `tools` parameter of a Messages API call. */
export function toolDefinitions(tools: Tool[] = TOOLS): ToolDefinition[] {
  return tools.map((tool) => {
    const { $schema: _ignored, ...schema } = z.toJSONSchema(tool.parameters) as Record<string, unknown>;
    return { name: tool.name, description: tool.description, input_schema: { ...schema, type: "object" } };
  });
}
