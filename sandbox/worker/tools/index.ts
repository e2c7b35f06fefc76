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
import type { WorkerConfig } from "../../../lib/protocol/worker";
import type { Tool } from "./tool";
import { writeFile } from "./write-file";

// Fixed for the life of a session (the tools head the cached prompt prefix).
export const TOOLS: Tool[] = [shell, readFile, writeFile, editFile, glob, grep, todoWrite, exitPlanMode, remember, recall, report];

/**
 * Every tool of a session, in the order the model sees them: the built-in ones (with the agent's
 * own, `task`, which needs the agent to build it), then the MCP servers' (mcp/index.ts, loaded
 * once at start).
 */
export function sessionTools(_config: WorkerConfig, mcpTools: readonly Tool[] = [], own: readonly Tool[] = []): Tool[] {
  return [...TOOLS, ...own, ...mcpTools];
}

export type ToolDefinition = { name: string; description: string; input_schema: { type: "object"; [key: string]: unknown } };

/** The `tools` parameter of a Messages API call. */
export function toolDefinitions(tools: Tool[] = TOOLS): ToolDefinition[] {
  return tools.map((tool) => {
    // An MCP tool comes with its server's JSON schema, given to the model as it is.
    if ("inputSchema" in tool) return { name: tool.name, description: tool.description, input_schema: { ...(tool.inputSchema as object), type: "object" } };
    const { $schema: _ignored, ...schema } = z.toJSONSchema(tool.parameters) as Record<string, unknown>;
    return { name: tool.name, description: tool.description, input_schema: { ...schema, type: "object" } };
  });
}
