// How big a request is, before sending it (the estimate the scripted model counts by too, see
// lib/models/conventions.ts), and how much of the model's window the prompt may take.
import { estimateTokens } from "../../../lib/models/conventions";
import type { WorkerConfig } from "../../../lib/protocol/worker";

export { estimateTokens };

export type PromptParts = { system: string | unknown[]; tools: unknown[]; messages: unknown[] };

/** The prompt's estimated tokens: system, tools and messages (not the answer). */
export function estimateRequest(req: PromptParts): number {
  return estimateTokens(req.system) + estimateTokens(req.tools) + estimateTokens(req.messages);
}

/**
 * The most prompt tokens a request may carry: the window, less room for the answer and a margin
 * for the estimate's error. The answer's room is capped at a quarter of the window so a proxy's
 * small window (DOCKSIDE_CONTEXT_TOKENS) still leaves space for the conversation; the caller
 * lowers max_tokens to what is left (see maxTokensFor).
 */
export function promptBudget(config: Pick<WorkerConfig, "contextTokens" | "maxTokens">): number {
  const window = config.contextTokens;
  const answer = Math.min(config.maxTokens, Math.floor(window / 4));
  const margin = Math.ceil(window * 0.05) + 256;
  return Math.max(1, window - answer - margin);
}

/** max_tokens for a prompt of `promptTokens`: the configured value, lowered so prompt + answer fit the window. */
export function maxTokensFor(config: Pick<WorkerConfig, "contextTokens" | "maxTokens">, promptTokens: number): number {
  const left = config.contextTokens - promptTokens - Math.ceil(config.contextTokens * 0.02);
  return Math.max(1, Math.min(config.maxTokens, left));
}
