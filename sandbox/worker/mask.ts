// Secret values never leave the worker in what it emits: tool output, tool results, setup output
// (the host masks again; this is the source). A value is replaced by `***` wherever it occurs;
// output that streams in pieces goes through a StreamMasker, which holds back the end of a piece
// while it could be the start of a value, so a value split across pieces is masked too.
// Same rule as the host (lib/environments/mask.ts): values under 4 characters are left alone.
import type { WorkerConfig } from "../../lib/protocol/worker";

export const MASK = "***";
const MIN_MASKED = 4;
/** Settings, not secrets: their values (the proxy's address) would only garble the output. */
const NOT_SECRET = /^(https?_proxy|no_proxy|all_proxy)$/i;

/** The values to mask from environments of secrets: unique, long enough, longest first. */
/** What the session's events never show: the agent's secrets and its stdio MCP servers' env values. */
export function sessionSecretValues(config: Pick<WorkerConfig, "agentEnv" | "mcpStdio">): string[] {
  return secretValues(config.agentEnv, ...config.mcpStdio.map((s) => s.env ?? {}));
}

export function secretValues(...envs: Record<string, string>[]): string[] {
  const values = envs.flatMap((env) => Object.entries(env).flatMap(([name, value]) => (NOT_SECRET.test(name) ? [] : [value])));
  return [...new Set(values.filter((v) => v.length >= MIN_MASKED))].sort((a, b) => b.length - a.length);
}

/** One alternation, longest first: at each position the longest value that matches wins. */
function pattern(values: readonly string[]): RegExp | null {
  const usable = values.filter((v) => v.length >= MIN_MASKED);
  return usable.length ? new RegExp(usable.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g") : null;
}

/** `text` with every occurrence of each value replaced by `***`. */
export function maskText(text: string, values: readonly string[]): string {
  const re = pattern(values);
  return re ? text.replace(re, MASK) : text;
}

/** Masks one stream of text that arrives in pieces (one per stream: stdout and stderr each have their own). */
export class StreamMasker {
  private carry = "";
  private readonly re: RegExp | null;
  private readonly byFirst = new Map<string, string[]>();
  private readonly maxLen: number;

  constructor(values: readonly string[]) {
    this.re = pattern(values);
    const usable = values.filter((v) => v.length >= MIN_MASKED);
    for (const v of usable) this.byFirst.set(v[0], [...(this.byFirst.get(v[0]) ?? []), v]);
    this.maxLen = Math.max(0, ...usable.map((v) => v.length));
  }

  /** What can be shown of the stream so far, masked; the rest waits for the next piece or `end()`. */
  push(text: string): string {
    if (!this.re) return text;
    const raw = this.carry + text;
    let cut = this.heldFrom(raw);
    let out = "";
    let i = 0;
    this.re.lastIndex = 0;
    for (let m = this.re.exec(raw); m; m = this.re.exec(raw)) {
      if (m.index >= cut) break; // in the held part: decided with the next piece
      out += raw.slice(i, m.index) + MASK;
      i = m.index + m[0].length;
      cut = Math.max(cut, i); // a whole value across the cut goes out masked, never in two halves
    }
    out += raw.slice(i, cut);
    this.carry = raw.slice(cut);
    return out;
  }

  /** The end of the stream: what was held back (the start of a value at most), masked. */
  end(): string {
    const rest = this.carry;
    this.carry = "";
    return this.re ? rest.replace(this.re, MASK) : rest;
  }

  /** Where the longest end of `raw` that is the start of a value (but not all of it) begins; raw.length if none. */
  private heldFrom(raw: string): number {
    for (let q = Math.max(0, raw.length - (this.maxLen - 1)); q < raw.length; q++) {
      const candidates = this.byFirst.get(raw[q]);
      if (!candidates) continue;
      const rest = raw.length - q;
      for (const v of candidates) if (v.length > rest && startsAt(raw, q, v)) return q;
    }
    return raw.length;
  }
}

/** Whether raw[q..] (to its end) equals the start of `value`. */
function startsAt(raw: string, q: number, value: string): boolean {
  for (let k = 0; q + k < raw.length; k++) if (raw.charCodeAt(q + k) !== value.charCodeAt(k)) return false;
  return true;
}
