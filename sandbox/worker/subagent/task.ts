// The `task` tool: hands a self-contained task to a subagent that runs the same loop (turn.ts) in
// the same sandbox with its own conversation, the session's system prompt and tools (never `task`
// itself), the same permission checks and approvals, and its own step limit. Only its final report
// goes back to the caller; its steps stream into the transcript carrying the call's id as `parent`.
import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import type { NewEvent } from "../../../lib/events/schema";
import { Interrupted } from "../errors";
import type { ReplyUsage } from "../model";
import type { RetryPolicy } from "../retry";
import type { AgentState } from "../state";
import { defineTool, type Tool, type ToolContext } from "../tools/tool";
import { toolDefinitions } from "../tools";
import { runTurn, type ContextSeam } from "../turn";
import { Slots } from "./slots";
import { subagentTools } from "./tools";

export const TASK_TOOL = "task";
/**
 * Subagents running at once: each holds a model stream and maybe a command on a 2-core sandbox;
 * more wait for a slot (they still start in the order the model asked for them).
 */
export const MAX_CONCURRENT_SUBAGENTS = 3;

/** What a subagent is told on top of the session's system prompt (the stand-in can tell its requests apart by it too). */
export const SUBAGENT_NOTE = `

## You are a subagent
Another agent handed you the task in the first message. You have your own conversation and the same
workspace. Work on it alone (nobody will answer questions), then end with a report: your last
message is all the other agent sees, so make it complete and self-contained (what you found or did,
file paths, commands, anything left open).`;

/** Events that belong to the subagent's steps; others (hooks: they name their call) pass as they are. */
const NESTED = new Set<NewEvent["type"]>(["assistant.text", "tool.call", "tool.output", "tool.result", "model.retry", "error", "compaction"]);

export type SubagentDeps = {
  client: Anthropic;
  /** The session's system prompt, read when a task starts (built once per session). */
  system(): string;
  /** The session's tools; `task` and the caller's own tools are taken out (subagent/tools.ts). */
  tools: () => Tool[];
  context: ContextSeam;
  retry?: RetryPolicy;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  limit?: number;
};

const TaskArgs = z.object({
  description: z.string().trim().min(1).max(200).describe("A short title for the task (3-8 words), shown to people"),
  prompt: z.string().min(1).max(100_000).describe("The whole task: the subagent sees nothing of this conversation, so say everything it needs"),
  readOnly: z.boolean().optional().describe("true: the subagent only reads (read_file, glob, grep), for exploring and research"),
});

export function taskTool(deps: SubagentDeps): Tool<typeof TaskArgs> {
  const slots = new Slots(deps.limit ?? MAX_CONCURRENT_SUBAGENTS);
  return defineTool({
    name: TASK_TOOL,
    description:
      "Hand a self-contained task to a subagent with its own context (for exploring a large codebase, research, or independent work) and get back only its final report. Several task calls in one answer run at once.",
    parameters: TaskArgs,
    async execute(args, ctx) {
      const release = await slots.take(ctx.signal);
      try {
        return await runSubagent(deps, args, ctx);
      } finally {
        release();
      }
    },
  });
}

async function runSubagent(deps: SubagentDeps, args: z.infer<typeof TaskArgs>, ctx: ToolContext) {
  const tools = subagentTools(deps.tools(), { readOnly: args.readOnly === true });
  const system = deps.system() + SUBAGENT_NOTE;
  const state = freshState(system, args.prompt, args.description);
  let tokens = 0;
  const emit = (e: NewEvent) => ctx.emit(NESTED.has(e.type) ? ({ ...e, data: { ...e.data, parent: ctx.callId } } as NewEvent) : e);
  // The caller's approval bookkeeping (awaiting) is its own: the subagent's runTurn keeps its own.
  const { callId: _c, collector: _k, current: _p, awaiting: _a, ...base } = ctx;
  const reason = await runTurn({
    config: ctx.config,
    state,
    system,
    tools,
    toolDefs: toolDefinitions(tools),
    client: deps.client,
    context: deps.context,
    signal: ctx.signal,
    emit,
    // The subagent's conversation lives as long as the call: after a worker restart the caller is told the call was interrupted.
    save: () => undefined,
    takeMessages: async () => 0,
    toolContext: () => ({ ...base, emit }),
    retry: deps.retry,
    sleep: deps.sleep,
    onUsage: (u: ReplyUsage) => void (tokens += u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens),
    stopHooks: false,
  });
  if (ctx.signal.aborted) throw new Interrupted("aborted");
  const report = state.turn?.finalText.trim() ?? "";
  if (reason !== undefined) {
    const partial = report ? `\n\nIts last words:\n${report}` : "";
    return { output: `The subagent stopped before finishing: ${reason}${partial}`, isError: true, tokens };
  }
  return { output: report || "The subagent finished without a report.", tokens };
}

function freshState(system: string, prompt: string, description: string): AgentState {
  return {
    version: 3,
    messages: [{ role: "user", content: [{ type: "text", text: prompt }] }],
    lastCommandSeq: 0,
    turns: 0,
    turn: { request: description, commands: [], steps: 0, finalText: "" },
    delivered: null,
    ops: [],
    system,
    started: [],
    setupDone: true,
    awaiting: null,
  };
}
