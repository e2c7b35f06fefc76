// One turn of the agent: repeat `step()` (take queued messages, check limits, ask the model, run
// its tools) until the model answers without tools. Kept apart from agent.ts (which owns what
// happens between turns: ops, checkpoints, delivery) so tests run it in-process against the
// scripted model. Exits are typed: LimitsExceeded and ModelError end the turn with a reason,
// Interrupted ends the worker.
import { randomUUID } from "node:crypto";
import type Anthropic from "@anthropic-ai/sdk";
import type { ContentBlockParam, MessageParam, Tool as ApiTool } from "@anthropic-ai/sdk/resources/messages";
import { ev, type NewEvent } from "../../lib/events/schema";
import type { WorkerConfig } from "../../lib/protocol/worker";
import { askModel, type CachedRequest } from "./ask";
import { Interrupted, LimitsExceeded, ModelError } from "./errors";
import { summarizeWith, type ModelCallDeps } from "./model-call";
import type { RetryPolicy } from "./retry";
import { closeOpenToolUses, type AgentState } from "./state";
import type { Tool } from "./tools/tool";
import { runTool, type RunContext } from "./tools/run-tool";

/** What compaction (context/condense.ts) works on; it rewrites `messages` in place. */
export type CondenseContext = {
  messages: MessageParam[];
  system: string;
  tools: ApiTool[];
  config: WorkerConfig;
  emit(e: NewEvent): void;
  summarize(req: { system: string; messages: MessageParam[]; maxTokens: number }): Promise<string>;
};

/** The seam with context management (context/): compaction and cache breakpoints. */
export type ContextSeam = {
  condense(ctx: CondenseContext, opts?: { force?: boolean }): Promise<void>;
  cacheRequest(req: { system: string; tools: ApiTool[]; messages: MessageParam[] }): CachedRequest;
};

export type TurnDeps = {
  config: WorkerConfig;
  state: AgentState;
  /** The system prompt fixed for the session (state.system). */
  system: string;
  tools: Tool[];
  toolDefs: ApiTool[];
  client: Anthropic;
  context: ContextSeam;
  signal: AbortSignal;
  emit(e: NewEvent): void;
  save(): void;
  /** Takes the person's messages that arrived meanwhile into the conversation; how many. */
  takeMessages(): Promise<number>;
  toolContext(): RunContext;
  retry?: RetryPolicy;
  sleep?: ModelCallDeps["sleep"];
};

/** Runs steps until the model is done; the idle reason when the turn ended early, else undefined. */
export async function runTurn(deps: TurnDeps): Promise<string | undefined> {
  try {
    while (!(await step(deps)));
    return undefined;
  } catch (err) {
    if (err instanceof LimitsExceeded) return err.message;
    if (err instanceof ModelError) {
      deps.emit(ev("error", { message: err.report, source: "model" }));
      return err.message;
    }
    throw err;
  }
}

/** One step; true when the turn is over. */
async function step(deps: TurnDeps): Promise<boolean> {
  const { state, config } = deps;
  const turn = state.turn!;
  await deps.takeMessages();
  if (turn.steps >= config.maxTurns) {
    throw new LimitsExceeded(`stopped after ${turn.steps} model calls, the limit for one request; send a message to continue`);
  }
  turn.steps++;
  const content = await ask(deps, `${turn.steps}`);
  if (content.length) state.messages.push({ role: "assistant", content });
  turn.finalText = content.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("\n") || turn.finalText;
  state.started = [];
  deps.save();

  const uses = content.flatMap((b) => (b.type === "tool_use" ? [b] : []));
  // A message that arrived while the model was answering keeps the turn going.
  if (!uses.length) return (await deps.takeMessages()) === 0;
  const results: ContentBlockParam[] = [];
  try {
    for (const use of uses) {
      if (deps.signal.aborted) break;
      if (use.name === "shell") turn.commands.push(String((use.input as { command?: unknown }).command ?? ""));
      // Saved before it runs: after a crash, a call in `started` may have run, the others did not.
      state.started = [...state.started, use.id];
      deps.save();
      results.push(await runTool(deps.tools, use, deps.toolContext()));
    }
  } finally {
    closeOpenToolUses(state.messages, "not run: the worker was stopped before this tool started", results, state.started);
    state.started = [];
    deps.save();
  }
  if (deps.signal.aborted) throw interrupted(deps.signal);
  return false;
}

function ask(deps: TurnDeps, stepId: string): Promise<ContentBlockParam[]> {
  const { state, config, client, signal, emit } = deps;
  const call: ModelCallDeps = { client, signal, emit, retry: deps.retry, sleep: deps.sleep };
  const condenseCtx: CondenseContext = {
    messages: state.messages,
    system: deps.system,
    tools: deps.toolDefs,
    config,
    emit,
    summarize: (req) => summarizeWith(call, config.model, req),
  };
  const block = `${randomUUID().slice(0, 8)}-${stepId}`;
  return askModel(
    {
      ...call,
      config,
      system: deps.system,
      tools: deps.toolDefs,
      get messages() {
        // Compaction may replace the array (a summary): always read it from the state.
        return state.messages;
      },
      condense: async (opts) => {
        condenseCtx.messages = state.messages;
        await deps.context.condense(condenseCtx, opts);
        state.messages = condenseCtx.messages;
        deps.save();
      },
      cacheRequest: deps.context.cacheRequest,
      onText: (id, text) => emit(ev("assistant.text", { block: `${block}-${id}`, text })),
    },
    stepId,
  ).catch((err: unknown) => {
    throw err instanceof Interrupted ? interrupted(signal) : err;
  });
}

function interrupted(signal: AbortSignal): Interrupted {
  const reason: unknown = signal.reason;
  return reason instanceof Interrupted ? reason : new Interrupted("interrupted");
}
