// Prompt caching as the API documents it: a prefix (tools → system → messages, up to and including
// a block with cache_control) is written when long enough and read back when a later request
// starts with exactly the same content, for the same model, within its TTL (refreshed on read).
// Each breakpoint also finds an earlier cached prefix up to 20 blocks before it.
import { createHash } from "node:crypto";
import type { PromptBlock } from "./tokens";

export const MAX_BREAKPOINTS = 4;
export const LOOKBACK_BLOCKS = 20;

/** The shortest prefix the API caches for a model: 2048 tokens for Haiku, 1024 for the others. */
export function minCacheableTokens(model: string): number {
  return /haiku/i.test(model) ? 2048 : 1024;
}

export interface CacheUsage {
  /** All prompt tokens: read + written + the rest. */
  total: number;
  read: number;
  write: number;
  /** What is billed as plain input: `total - read - write`. */
  input: number;
}

export class PromptCache {
  private readonly entries = new Map<string, { expiresAt: number; ttlMs: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Reads and writes the cache for one request and says how its prompt tokens are billed. */
  account(model: string, blocks: readonly PromptBlock[], minTokens = minCacheableTokens(model)): CacheUsage {
    const now = this.now();
    const keys = prefixKeys(model, blocks);
    const ends = prefixTokens(blocks);
    const total = ends.at(-1) ?? 0;
    const breakpoints = blocks.flatMap((b, i) => (b.breakpoint ? [i] : []));

    let readAt = -1;
    for (const bp of breakpoints) {
      for (let i = bp; i >= Math.max(0, bp - LOOKBACK_BLOCKS + 1); i--) {
        if (!this.live(keys[i], now)) continue;
        readAt = Math.max(readAt, i);
        break;
      }
    }
    if (readAt >= 0) this.touch(keys[readAt], now);
    const read = readAt >= 0 ? ends[readAt] : 0;

    let writeAt = -1;
    for (const bp of breakpoints) {
      if (bp <= readAt || ends[bp] < minTokens) continue;
      const ttlMs = blocks[bp].breakpoint?.ttlMs ?? 0;
      this.entries.set(keys[bp], { expiresAt: now + ttlMs, ttlMs });
      writeAt = Math.max(writeAt, bp);
    }
    const write = writeAt >= 0 ? ends[writeAt] - read : 0;
    return { total, read, write, input: total - read - write };
  }

  private live(key: string, now: number): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    if (entry.expiresAt > now) return true;
    this.entries.delete(key);
    return false;
  }

  private touch(key: string, now: number): void {
    const entry = this.entries.get(key);
    if (entry) entry.expiresAt = now + entry.ttlMs;
  }
}

// keys[i] identifies the exact prefix blocks[0..i] for this model, chained so each costs one hash.
function prefixKeys(model: string, blocks: readonly PromptBlock[]): string[] {
  const keys: string[] = [];
  let previous = createHash("sha256").update(model).digest("hex");
  for (const b of blocks) {
    previous = createHash("sha256").update(previous).update("\u0000").update(b.key).digest("hex");
    keys.push(previous);
  }
  return keys;
}

function prefixTokens(blocks: readonly PromptBlock[]): number[] {
  const ends: number[] = [];
  let sum = 0;
  for (const b of blocks) ends.push((sum += b.tokens));
  return ends;
}
