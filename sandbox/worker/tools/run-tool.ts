// Runs one tool call for the model: emits tool.call, validates the arguments, executes, caps
// what the model sees, emits tool.result. Any failure becomes an error result the model reads.
import { z } from "zod";
import { ToolError } from "../errors";
import { maskText, secretValues } from "../mask";
import type { Tool, ToolContext } from "./tool";
import { CappedText } from "./truncate";

export type ToolUse = { id: string; name: string; input: unknown };
export type ToolResultBlock = { type: "tool_result"; tool_use_id: string; content: string; is_error?: boolean };
export type RunContext = Omit<ToolContext, "callId" | "collector">;

export async function runTool(tools: Tool[], use: ToolUse, base: RunContext): Promise<ToolResultBlock> {
  const ctx: ToolContext = { ...base, callId: use.id, collector: () => new CappedText(base.config.toolOutputCap, use.id) };
  ctx.emit({ type: "tool.call", data: { callId: use.id, name: use.name, input: use.input } });
  const started = Date.now();
  const { output, isError, exitCode } = await execute(tools, use, ctx);
  const capped = output instanceof CappedText ? output : CappedText.of(output, base.config.toolOutputCap, use.id);
  capped.close();
  // The agent's secrets are in its commands' environment, never in what is shown (shell masks as it streams).
  const text = maskText(capped.toString(), secretValues(base.config.agentEnv)) || "(no output)";
  ctx.emit({
    type: "tool.result",
    data: { callId: use.id, isError, exitCode, output: text, truncated: capped.truncated, durationMs: Date.now() - started },
  });
  return { type: "tool_result", tool_use_id: use.id, content: text, ...(isError ? { is_error: true } : {}) };
}

async function execute(tools: Tool[], use: ToolUse, ctx: ToolContext) {
  const tool = tools.find((t) => t.name === use.name);
  if (!tool) {
    const names = tools.map((t) => t.name).join(", ");
    return { output: `Unknown tool ${use.name}; the tools are: ${names}.`, isError: true, exitCode: null };
  }
  const args = tool.parameters.safeParse(use.input);
  if (!args.success) {
    return { output: `Invalid arguments for ${tool.name}:\n${z.prettifyError(args.error)}\nFix them and call the tool again.`, isError: true, exitCode: null };
  }
  try {
    const result = await tool.execute(args.data, ctx);
    return { output: result.output, isError: result.isError ?? false, exitCode: result.exitCode };
  } catch (err) {
    const message = err instanceof ToolError ? err.message : `${tool.name} failed: ${err instanceof Error ? err.message : String(err)}`;
    return { output: message, isError: true, exitCode: null };
  }
}
