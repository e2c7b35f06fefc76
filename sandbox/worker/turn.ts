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
import { stopHooks } from "./permissions/hooks";
import { appendUserText, closeOpenToolUses, INTERRUPTED_NOTE, openToolUseIds, type AgentState } from "./state";
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
  onUsage?: ModelCallDeps["onUsage"];
  /** Whether the repository's stop hooks run when the model ends (the session's agent: yes; a subagent: no, its caller's turn is not over). */
  stopHooks?: boolean;
  /** Tools whose consecutive calls in one answer run at once (subagents: `task`); the others run one after another. */
  concurrent?: ReadonlySet<string>;
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
  if (await resumeAwaited(deps)) return false;
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
  if (!uses.length) {
    // A message that arrived while the model was answering keeps the turn going.
    if ((await deps.takeMessages()) > 0) return false;
    // So does a failing stop hook, a few times.
    return deps.stopHooks === false || !(await stopHooksSendBack(deps));
  }
  await runUses(deps, uses);
  return false;
}

/**
 * After a restart during an approval wait (state.awaiting): the open calls of the last answer run
 * now. The one that waited asks again with its callId (the host gives the same approval back),
 * those after it run; those before it had started and may have run (their results were lost).
 */
async function resumeAwaited(deps: TurnDeps): Promise<boolean> {
  const { state } = deps;
  const awaiting = state.awaiting;
  if (!awaiting) return false;
  const open = openToolUseIds(state.messages);
  const last = state.messages[state.messages.length - 1];
  if (!open.includes(awaiting) || typeof last.content === "string") {
    state.awaiting = null;
    return false;
  }
  const uses = last.content.flatMap((b) => (b.type === "tool_use" ? [b] : []));
  await runUses(deps, uses, { awaiting, started: state.started });
  return true;
}

type ToolUseBlock = { id: string; name: string; input: unknown };

async function runUses(deps: TurnDeps, uses: ToolUseBlock[], resumed?: { awaiting: string; started: readonly string[] }): Promise<void> {
  const { state } = deps;
  const turn = state.turn!;
  const results: ContentBlockParam[] = [];
  const context = {
    ...deps.toolContext(),
    awaiting: (callId: string | null) => {
      state.awaiting = callId;
      deps.save();
    },
  };
  const runOne = async (use: ToolUseBlock): Promise<ContentBlockParam> => {
    const again = resumed?.awaiting === use.id;
    if (resumed && !again && resumed.started.includes(use.id)) return { type: "tool_result", tool_use_id: use.id, content: INTERRUPTED_NOTE, is_error: true };
    if (use.name === "shell" && !again) turn.commands.push(String((use.input as { command?: unknown }).command ?? ""));
    // Saved before it runs: after a crash, a call in `started` may have run, the others did not.
    if (!state.started.includes(use.id)) state.started = [...state.started, use.id];
    deps.save();
    return runTool(deps.tools, use, context, { announce: !again });
  };
  try {
    for (let i = 0; i < uses.length && !deps.signal.aborted; ) {
      // Consecutive calls of a concurrent tool (several subagents) run together; results keep the answer's order.
      let j = i + 1;
      if (deps.concurrent?.has(uses[i].name)) while (j < uses.length && deps.concurrent.has(uses[j].name)) j++;
      results.push(...(await Promise.all(uses.slice(i, j).map(runOne))));
      i = j;
    }
  } finally {
    closeOpenToolUses(state.messages, "not run: the worker was stopped before this tool started", results, state.started);
    state.started = [];
    state.awaiting = null;
    deps.save();
  }
  if (deps.signal.aborted) throw interrupted(deps.signal);
}

/**
 * The stop hooks, when the model ends its turn; true when one failed and its output went back to
 * the model (at most hooks.stopMaxRuns rounds a turn; after that a failure is only reported).
 */
async function stopHooksSendBack(deps: TurnDeps): Promise<boolean> {
  const { state, signal } = deps;
  const turn = state.turn!;
  const ctx = deps.toolContext();
  let perms;
  try {
    perms = await ctx.permissions.permissions(signal);
  } catch (err) {
    if (signal.aborted) throw interrupted(signal);
    process.stderr.write(`[worker] the stop hooks were not run: the host could not be asked for them: ${String(err)}\n`);
    return false;
  }
  if (!perms.hooks.stop.length) return false;
  const runs = turn.stopRuns ?? 0;
  const sendBack = runs < perms.hooks.stopMaxRuns;
  const failures = await stopHooks(perms.hooks, ctx, sendBack);
  if (signal.aborted) throw interrupted(signal);
  if (!failures.length || !sendBack) return false;
  turn.stopRuns = runs + 1;
  appendUserText(state.messages, failures.join("\n\n"));
  deps.save();
  return true;
}

function ask(deps: TurnDeps, stepId: string): Promise<ContentBlockParam[]> {
  const { state, config, client, signal, emit } = deps;
  const call: ModelCallDeps = { client, signal, emit, retry: deps.retry, sleep: deps.sleep, onUsage: deps.onUsage };
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
