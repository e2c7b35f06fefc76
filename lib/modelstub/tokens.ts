// How the stub counts a request: one deterministic estimate (about four characters a token) that
// the stub, the worker's tests and the benchmarks share, and the request cut into the ordered
// blocks (tools → system → messages) that prompt caching reasons about.
import { estimateTokens } from "../models/conventions";
import type { MessagesRequest } from "./script";

export { estimateTokens };

export interface CacheControl {
  ttlMs: number;
}

/** One cacheable unit of the prompt, in the order the API builds the prefix. */
export interface PromptBlock {
  /** Where the block sits and what it holds, without its cache_control: the cache key's material. */
  key: string;
  tokens: number;
  breakpoint?: CacheControl;
}

const FIVE_MINUTES = 5 * 60_000;
const ONE_HOUR = 60 * 60_000;

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// A marker, not the content: moving a breakpoint must not change what the prefix is.
function withoutCacheControl(block: Loose): { rest: Loose; control: unknown } {
  const { cache_control: control, ...rest } = block;
  return { rest, control };
}

function toBreakpoint(control: unknown): CacheControl | undefined {
  if (!isObject(control)) return undefined;
  return { ttlMs: control.ttl === "1h" ? ONE_HOUR : FIVE_MINUTES };
}

function block(where: string, raw: unknown): PromptBlock {
  if (!isObject(raw)) return { key: `${where}:${JSON.stringify(raw)}`, tokens: estimateTokens(raw) };
  const { rest, control } = withoutCacheControl(raw);
  const json = JSON.stringify(rest);
  return { key: `${where}:${json}`, tokens: estimateTokens(json), breakpoint: toBreakpoint(control) };
}

/** The request as the ordered list of blocks the cache prefix is made of. */
export function promptBlocks(request: MessagesRequest): PromptBlock[] {
  const out: PromptBlock[] = [];
  const tools = Array.isArray(request.tools) ? (request.tools as unknown[]) : [];
  for (const tool of tools) out.push(block("tool", tool));
  const system = request.system;
  if (typeof system === "string" && system) out.push(block("system", { type: "text", text: system }));
  if (Array.isArray(system)) for (const part of system as unknown[]) out.push(block("system", part));
  request.messages.forEach((message, index) => {
    // The first block of each message is marked, so [a][b] and [a, b] are different prefixes.
    const parts = typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
    parts.forEach((part, i) => out.push(block(`${message.role}${i === 0 ? `#${index}` : ""}`, part)));
  });
  return out;
}

/** How many blocks carry a breakpoint: the API refuses more than four. */
export function countBreakpoints(blocks: readonly PromptBlock[]): number {
  return blocks.filter((b) => b.breakpoint).length;
}

/** The estimate of the whole prompt, the number the context window is checked against. */
export function requestTokens(request: MessagesRequest): number {
  return sumTokens(promptBlocks(request));
}

export function sumTokens(blocks: readonly PromptBlock[]): number {
  return blocks.reduce((sum, b) => sum + b.tokens, 0);
}
