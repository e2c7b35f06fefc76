// One step's answer from the model, whatever its stop reason: `max_tokens` continues the answer
// (or asks again with a larger limit, so a tool call cut in the middle never runs with partial
// input), `pause_turn` is resumed, `refusal` ends the turn as a refusal, and a context window
// overflow (stop reason or a 400 "prompt is too long") compacts and asks again.
import type { ContentBlockParam, MessageParam, TextBlockParam, Tool as ApiTool } from "@anthropic-ai/sdk/resources/messages";
import { ev } from "../../lib/events/schema";
import type { WorkerConfig } from "../../lib/protocol/worker";
import { ModelError } from "./errors";
import { estimateRequest, maxTokensFor } from "./context/tokens";
import { callModel, PromptTooLong, type ModelCallDeps } from "./model-call";

/** The request as cacheRequest (context/cache.ts) hands it over: breakpoints in place. */
export type CachedRequest = { system: TextBlockParam[]; tools: ApiTool[]; messages: MessageParam[] };

export type AskDeps = ModelCallDeps & {
  config: WorkerConfig;
  system: string;
  tools: ApiTool[];
  /** The conversation; compaction may rewrite it in place. */
  messages: MessageParam[];
  /** Before every call; `force` after the API said the prompt is too long. */
  condense(opts?: { force?: boolean }): Promise<void>;
  cacheRequest(req: { system: string; tools: ApiTool[]; messages: MessageParam[] }): CachedRequest;
  /** Streamed text, by a block id unique to this answer's call and attempt. */
  onText(block: string, text: string): void;
};

/** Continuations and resumptions of one answer before the step gives up on it. */
const MAX_CONTINUATIONS = 8;
const MIN_THINKING = 1024;

/** max_tokens and thinking budget for the first call: the budget must stay below max_tokens. */
export function limitsOf(config: WorkerConfig): { maxTokens: number; thinkingBudget: number | null } {
  const ceiling = Math.max(config.maxTokens, config.maxOutputTokens);
  if (!config.thinkingBudget) return { maxTokens: Math.min(config.maxTokens, ceiling), thinkingBudget: null };
  const thinkingBudget = Math.max(MIN_THINKING, Math.min(config.thinkingBudget, ceiling - MIN_THINKING));
  return { maxTokens: Math.min(ceiling, Math.max(config.maxTokens, thinkingBudget + 4096)), thinkingBudget };
}

/** The blocks of this step's answer, complete; throws ModelError (turn ends idle) or Interrupted. */
export async function askModel(deps: AskDeps, step: string): Promise<ContentBlockParam[]> {
  const { config } = deps;
  const ceiling = Math.max(config.maxTokens, config.maxOutputTokens);
  let { maxTokens } = limitsOf(config);
  const { thinkingBudget } = limitsOf(config);
  let prefill: ContentBlockParam[] = [];
  let compacted = false;
  for (let call = 1; call <= MAX_CONTINUATIONS + 2; call++) {
    await deps.condense();
    const messages = prefill.length ? [...deps.messages, { role: "assistant" as const, content: forPrefill(prefill) }] : deps.messages;
    const req = deps.cacheRequest({ system: deps.system, tools: deps.tools, messages });
    // Prompt and answer together must fit the window; thinking needs room above its budget.
    const fit = maxTokensFor({ contextTokens: config.contextTokens, maxTokens }, estimateRequest(req));
    const limit = thinkingBudget ? Math.max(fit, thinkingBudget + MIN_THINKING) : fit;
    let reply;
    try {
      reply = await callModel(deps, { model: config.model, maxTokens: limit, thinkingBudget, ...req }, (attempt, index, text) =>
        deps.onText(`${step}-${call}.${attempt}-${index}`, text),
      );
    } catch (err) {
      if (!(err instanceof PromptTooLong)) throw err;
      compacted = await compactOnce(deps, compacted, err.message);
      prefill = [];
      continue;
    }
    const content = merge(prefill, reply.content);
    switch (reply.stopReason) {
      case "refusal":
        throw new ModelError(
          "the model refused this request (stop reason: refusal); rephrase it or ask for something else",
          "The model declined to continue (refusal). Its partial answer is not kept in the conversation.",
        );
      case "model_context_window_exceeded":
        // The answer was cut because the window is full: start it over on a compacted conversation.
        compacted = await compactOnce(deps, compacted, "the model's context window is full");
        prefill = [];
        continue;
      case "pause_turn":
        // The API paused a long turn: sending the answer so far back lets it carry on.
        prefill = content;
        continue;
      case "max_tokens": {
        const last = content[content.length - 1];
        const canContinue = last?.type === "text" && !thinkingBudget && !content.some((b) => b.type === "tool_use");
        if (canContinue) {
          prefill = content;
          continue;
        }
        // A tool call cut in the middle has partial input: never run it, ask again with more room.
        if (limit < maxTokens) {
          // Cut because the window left no more room: a larger limit would not fit, compact instead.
          compacted = await compactOnce(deps, compacted, "no room left in the context window for the answer");
          prefill = [];
          continue;
        }
        if (maxTokens >= ceiling) {
          throw new ModelError(`the answer did not fit in the model's output limit (${ceiling} tokens); ask for smaller steps`);
        }
        const next = Math.min(ceiling, maxTokens * 2);
        deps.emit(ev("model.retry", { attempt: call, waitMs: 0, reason: `the answer reached its limit of ${maxTokens} tokens in the middle of a tool call; asking again with ${next}` }));
        maxTokens = next;
        prefill = [];
        continue;
      }
      default:
        return content;
    }
  }
  throw new ModelError(`the answer kept running past its limit after ${MAX_CONTINUATIONS} continuations; send a message to continue`);
}

async function compactOnce(deps: AskDeps, already: boolean, why: string): Promise<boolean> {
  if (already) {
    throw new ModelError(`the conversation does not fit in the model's context window even after compaction (${why}); start a new session or ask for less at once`);
  }
  await deps.condense({ force: true });
  return true;
}

/** The API refuses a final assistant message ending in whitespace. */
function forPrefill(blocks: ContentBlockParam[]): ContentBlockParam[] {
  const out = [...blocks];
  const last = out[out.length - 1];
  if (last?.type === "text") {
    const text = last.text.trimEnd();
    if (text) out[out.length - 1] = { ...last, text };
    else out.pop();
  }
  return out;
}

/** The continuation carries on from the prefill: a text it continues is one block. */
function merge(prefill: ContentBlockParam[], more: ContentBlockParam[]): ContentBlockParam[] {
  if (!prefill.length) return more;
  const head = forPrefill(prefill);
  const last = head[head.length - 1];
  const first = more[0];
  if (last?.type === "text" && first?.type === "text") return [...head.slice(0, -1), { type: "text", text: last.text + first.text }, ...more.slice(1)];
  return [...head, ...more];
}
