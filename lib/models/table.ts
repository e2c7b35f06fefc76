// The one table of models: context window, largest output, prices and thinking support. The
// worker (context management, max_tokens), the gateway (cost per call, budgets), the API and the
// UI (model picker, cost meter) all read it. Bundled into the worker: no dependencies.
//
// Prices are US dollars per million tokens. Cache writes are the 5-minute TTL rate (1.25x input),
// cache reads 0.1x input, as the API bills them.

export interface ModelInfo {
  id: string;
  label: string;
  /** Tokens the model reads per request (prompt + output must fit). */
  contextWindow: number;
  /** The largest max_tokens the model accepts. */
  maxOutput: number;
  /** Whether extended thinking can be turned on. */
  thinking: boolean;
  /** USD per million tokens. */
  price: { input: number; output: number; cacheWrite: number; cacheRead: number };
}

const tier = (input: number, output: number) => ({ input, output, cacheWrite: input * 1.25, cacheRead: input * 0.1 });
const SONNET = tier(3, 15);
const OPUS = tier(5, 25);
const HAIKU = tier(1, 5);

export const MODELS: readonly ModelInfo[] = [
  { id: "claude-sonnet-5-5", label: "Claude Sonnet 5.5", contextWindow: 200_000, maxOutput: 64_000, thinking: true, price: SONNET },
  { id: "claude-sonnet-5", label: "Claude Sonnet 5", contextWindow: 200_000, maxOutput: 64_000, thinking: true, price: SONNET },
  { id: "claude-sonnet-4-6", label: "Claude Sonnet 4.6", contextWindow: 200_000, maxOutput: 64_000, thinking: true, price: SONNET },
  { id: "claude-sonnet-4-5", label: "Claude Sonnet 4.5", contextWindow: 200_000, maxOutput: 64_000, thinking: true, price: SONNET },
  { id: "claude-opus-5-5", label: "Claude Opus 5.5", contextWindow: 200_000, maxOutput: 64_000, thinking: true, price: OPUS },
  { id: "claude-opus-5", label: "Claude Opus 5", contextWindow: 200_000, maxOutput: 64_000, thinking: true, price: OPUS },
  { id: "claude-opus-4-8", label: "Claude Opus 4.8", contextWindow: 200_000, maxOutput: 64_000, thinking: true, price: OPUS },
  { id: "claude-opus-4-5", label: "Claude Opus 4.5", contextWindow: 200_000, maxOutput: 64_000, thinking: true, price: OPUS },
  { id: "claude-haiku-5-5", label: "Claude Haiku 5.5", contextWindow: 200_000, maxOutput: 64_000, thinking: true, price: HAIKU },
  { id: "claude-haiku-4-5", label: "Claude Haiku 4.5", contextWindow: 200_000, maxOutput: 64_000, thinking: true, price: HAIKU },
];

/** What an unknown model id (a proxy's alias) is assumed to be: a Sonnet-class model. */
const FALLBACK: Omit<ModelInfo, "id" | "label"> = { contextWindow: 200_000, maxOutput: 32_000, thinking: false, price: SONNET };

/** The model's row; ids with a date suffix (claude-haiku-4-5-20251001) match their alias. */
export function modelInfo(id: string): ModelInfo & { known: boolean } {
  const hit = MODELS.find((m) => m.id === id) ?? MODELS.find((m) => id.startsWith(`${m.id}-`));
  return hit ? { ...hit, known: true } : { ...FALLBACK, id, label: id, known: false };
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
}

/** The cost in USD of one call's usage, from the model's prices. */
export function costOf(model: string, u: TokenUsage): number {
  const p = modelInfo(model).price;
  const usd = (u.inputTokens * p.input + u.outputTokens * p.output + (u.cacheWriteTokens ?? 0) * p.cacheWrite + (u.cacheReadTokens ?? 0) * p.cacheRead) / 1e6;
  return Math.round(usd * 1e6) / 1e6;
}
