// The cheap half of compaction: old tool results are replaced by a short note saying where their
// output still is (the transcript, and a file in the sandbox). Done in one batch when the prompt
// outgrows its budget, never one result per step, so the cached prefix is invalidated rarely.
import type { ContentBlockParam, MessageParam, ToolResultBlockParam } from "@anthropic-ai/sdk/resources/messages";
import { saveOutput } from "./output-files";
import { estimateTokens } from "./tokens";

export const CLEARED_PREFIX = "[tool result cleared";
/** The most recent results kept as they are (if they fit in KEEP_SHARE of the budget). */
export const KEEP_RECENT = 5;
const KEEP_SHARE = 0.3;
/** The newest results (the ones the model is about to read) may take up to this share. */
const NEWEST_SHARE = 0.5;
/** Results smaller than this stay: their note would save next to nothing. */
const MIN_TOKENS = 60;

type Ref = { message: number; block: number; result: ToolResultBlockParam; tokens: number };

/** Clears tool results older than the recent ones; returns how many were cleared. */
export function clearOldToolResults(messages: MessageParam[], budget: number): number {
  const refs = toolResults(messages).filter((r) => !isCleared(r.result));
  const keep = new Set<Ref>();
  let kept = 0;
  const newest = messages.length - 1;
  for (let i = refs.length - 1; i >= 0; i--) {
    const ref = refs[i];
    const cap = ref.message === newest ? budget * NEWEST_SHARE : budget * KEEP_SHARE;
    if (keep.size >= KEEP_RECENT || kept + ref.tokens > cap) break;
    keep.add(ref);
    kept += ref.tokens;
  }
  let cleared = 0;
  for (const ref of refs) {
    if (keep.has(ref) || ref.tokens < MIN_TOKENS) continue;
    const content = messages[ref.message].content as ContentBlockParam[];
    content[ref.block] = clearedResult(ref.result);
    cleared++;
  }
  return cleared;
}

export function toolResults(messages: MessageParam[]): Ref[] {
  const refs: Ref[] = [];
  messages.forEach((m, message) => {
    if (m.role !== "user" || typeof m.content === "string") return;
    m.content.forEach((b, block) => {
      if (b.type === "tool_result") refs.push({ message, block, result: b, tokens: estimateTokens(b) });
    });
  });
  return refs;
}

export function isCleared(result: ToolResultBlockParam): boolean {
  return typeof result.content === "string" && result.content.startsWith(CLEARED_PREFIX);
}

/** The text of a result, whatever its shape (the worker's tools give strings; images become a mention). */
export function resultText(result: ToolResultBlockParam): string {
  const c = result.content;
  if (c === undefined) return "";
  if (typeof c === "string") return c;
  return c.map((b) => (b.type === "text" ? b.text : `[${b.type}]`)).join("\n");
}

const SAVED_RE = /saved in (\/\S+?\.txt)/;

function clearedResult(result: ToolResultBlockParam): ToolResultBlockParam {
  const text = resultText(result);
  // A cut output was saved whole already; a complete one is saved now, so clearing loses nothing.
  const saved = SAVED_RE.exec(text)?.[1] ?? saveOutput(result.tool_use_id, text);
  const where = saved ? ` and in ${saved} (read it with shell: grep, sed -n, tail)` : "";
  const note = `${CLEARED_PREFIX} to save context: its ${Buffer.byteLength(text)} bytes are in the session transcript${where}]`;
  return { type: "tool_result", tool_use_id: result.tool_use_id, content: note, ...(result.is_error ? { is_error: true } : {}) };
}
