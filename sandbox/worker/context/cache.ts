// Prompt caching: breakpoints that make tools + system prompt (which holds the repository's and the
// team's instructions) one stable cached prefix, and let each step read the conversation so far
// from the cache. The API caches the prefix up to a block carrying cache_control; a later request
// reads it back when it starts with exactly the same content. Three breakpoints of the four allowed:
//   1. the system prompt (tools come before it, so it covers both);
//   2. the last block of the newest message: this step's prefix is written for the next step;
//   3. the last block of the previous user message: where the previous step wrote, so the read
//      hits even when the newest exchange added more blocks than the API's 20-block lookback.
// The stored conversation is never touched: breakpoints live only in the copy that is sent.
import type { ContentBlockParam, MessageParam, TextBlockParam, Tool } from "@anthropic-ai/sdk/resources/messages";

const EPHEMERAL = { type: "ephemeral" } as const;

export type CacheableRequest = { system: string; tools: Tool[]; messages: MessageParam[] };
export type CachedRequest = { system: TextBlockParam[]; tools: Tool[]; messages: MessageParam[] };

export function cacheRequest(req: CacheableRequest): CachedRequest {
  const system: TextBlockParam[] = req.system ? [{ type: "text", text: req.system, cache_control: EPHEMERAL }] : [];
  // Without a system prompt the tools' prefix gets its breakpoint on the last tool instead.
  const tools = req.tools.map((t, i) => (!req.system && i === req.tools.length - 1 ? { ...t, cache_control: EPHEMERAL } : t));
  const messages = req.messages.slice();
  const last = messages.length - 1;
  const marks = [last, previousUserMessage(messages, last)].filter((i) => i >= 0);
  for (const i of marks) messages[i] = withBreakpoint(messages[i]);
  return { system, tools, messages };
}

function previousUserMessage(messages: MessageParam[], before: number): number {
  for (let i = before - 1; i >= 0; i--) if (messages[i].role === "user") return i;
  return -1;
}

/** A copy of the message whose last markable block carries the breakpoint. */
function withBreakpoint(message: MessageParam): MessageParam {
  if (typeof message.content === "string") {
    if (!message.content) return message;
    return { ...message, content: [{ type: "text", text: message.content, cache_control: EPHEMERAL }] };
  }
  const content = message.content.slice();
  for (let i = content.length - 1; i >= 0; i--) {
    const marked = mark(content[i]);
    if (!marked) continue;
    content[i] = marked;
    return { ...message, content } as MessageParam;
  }
  return message;
}

// Thinking blocks cannot carry cache_control, nor can empty text; everything else the worker sends can.
function mark(block: ContentBlockParam): ContentBlockParam | null {
  if (block.type === "thinking" || block.type === "redacted_thinking") return null;
  if (block.type === "text" && !block.text) return null;
  return { ...block, cache_control: EPHEMERAL } as ContentBlockParam;
}
