// Keeps every request under the model's context window (config.contextTokens), called before each
// model call. Two steps, cheapest first, each an event in the log:
//   1. clear old tool results in one batch (clear.ts): the recent ones stay, the others say where
//      their output is;
//   2. if that is not enough (or `force`, after the API answered "prompt is too long"), summarize
//      with one model call and carry on from the summary and the latest exchange (summary.ts).
// Sizes are estimates (tokens.ts) checked against a budget with a margin (promptBudget).
import type { MessageParam, Tool } from "@anthropic-ai/sdk/resources/messages";
import type { NewEvent } from "../../../lib/events/schema";
import type { WorkerConfig } from "../../../lib/protocol/worker";
import { clearOldToolResults } from "./clear";
import { latestTodo, rebuild, SUMMARY_HEADER, summaryRequest } from "./summary";
import { estimateRequest, estimateTokens, promptBudget } from "./tokens";

export type CondenseContext = {
  messages: MessageParam[];
  system: string;
  tools: Tool[];
  config: WorkerConfig;
  emit(e: NewEvent): void;
  summarize(req: { system: string; messages: MessageParam[]; maxTokens: number }): Promise<string>;
};

/** After clearing, a prompt still above this share of the budget is summarized: clearing again a step later would only churn the cache. */
const SUMMARIZE_ABOVE = 0.85;
/** The latest exchange is kept beside the summary if it takes at most this share of the budget. */
const TAIL_SHARE = 0.3;
/** A summary's text may take at most this share of the budget. */
const SUMMARY_SHARE = 0.25;
/** The event carries the summary, up to the channel's limit for a text. */
const EVENT_SUMMARY_CHARS = 500_000;

export async function condense(ctx: CondenseContext, opts: { force?: boolean } = {}): Promise<void> {
  if (!ctx.messages.length) return;
  const budget = promptBudget(ctx.config);
  const size = () => estimateRequest({ system: ctx.system, tools: ctx.tools, messages: ctx.messages });
  const before = size();
  if (!opts.force && before <= budget) return;

  const fixed = estimateTokens(ctx.system) + estimateTokens(ctx.tools);
  const cleared = clearOldToolResults(ctx.messages, Math.max(1, budget - fixed));
  const afterClear = size();
  if (cleared) {
    ctx.emit({ type: "compaction", data: { strategy: "clear_tool_results", tokensBefore: before, tokensAfter: afterClear, cleared } });
  }
  if (!opts.force && afterClear <= budget * SUMMARIZE_ABOVE) return;
  // Only a summary left: summarizing it again would not make it smaller, only cost a call.
  if (ctx.messages.length === 1 && isSummary(ctx.messages[0])) return;

  const maxTokens = summaryMaxTokens(ctx.config);
  // The summary call must fit the window too: its prompt gets what the answer and the margin leave.
  const promptRoom = promptBudget({ contextTokens: ctx.config.contextTokens, maxTokens });
  const summary = await ctx.summarize({ ...summaryRequest(ctx.messages, promptRoom), maxTokens });
  const kept = clip(summary, Math.max(1000, Math.floor((budget - fixed) * SUMMARY_SHARE * 4)));
  const next = rebuild(ctx.messages, kept, latestTodo(ctx.messages), Math.floor((budget - fixed) * TAIL_SHARE));
  ctx.messages.splice(0, ctx.messages.length, ...next);
  ctx.emit({
    type: "compaction",
    data: { strategy: "summary", tokensBefore: afterClear, tokensAfter: size(), summary: kept.slice(0, EVENT_SUMMARY_CHARS) },
  });
}

/** Room for the summary's answer: about a tenth of the window, within what the model can write. */
export function summaryMaxTokens(config: WorkerConfig): number {
  const wanted = Math.min(8192, Math.max(512, Math.floor(config.contextTokens * 0.1)));
  return Math.min(wanted, config.maxOutputTokens);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n[... summary cut to fit the context window ...]`;
}

function isSummary(m: MessageParam): boolean {
  const first = typeof m.content === "string" ? m.content : m.content[0]?.type === "text" ? m.content[0].text : "";
  return first.startsWith(SUMMARY_HEADER);
}
