// One model call, streamed through the host gateway: text is reported as it arrives, the reply
// comes back as conversation blocks with its stop reason. No retries here (see model-call.ts).
import Anthropic from "@anthropic-ai/sdk";
import type {
  ContentBlock,
  ContentBlockParam,
  MessageCreateParamsStreaming,
  MessageParam,
  StopReason,
  TextBlockParam,
  Tool as ApiTool,
} from "@anthropic-ai/sdk/resources/messages";
import type { Channel } from "./channel";
import { Interrupted } from "./errors";

/** The SDK pointed at the host gateway over the socket; the gateway adds the API key. */
export function createClient(channel: Channel): Anthropic {
  // maxRetries 0: the SDK would otherwise wait and retry silently; model-call.ts retries visibly.
  return new Anthropic({ apiKey: "unused-by-sandbox", baseURL: "http://dockside-host", fetch: channel.fetch, maxRetries: 0 });
}

/** A request as the loop builds it (after cacheRequest): system as blocks, tools optional. */
export type ModelRequest = {
  model: string;
  maxTokens: number;
  system: string | TextBlockParam[];
  tools?: ApiTool[];
  messages: MessageParam[];
  /** Extended thinking budget; max_tokens must be above it. */
  thinkingBudget?: number | null;
};

/** Tokens the call used, as the API reported them (the gateway bills its own count). */
export type ReplyUsage = { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number };
export type Reply = { content: ContentBlockParam[]; stopReason: StopReason | null; usage?: ReplyUsage };

/** Streams one reply; `onText(blockIndex, text)` sees each piece of text as it arrives. Throws the SDK's error as is. */
export async function streamReply(
  client: Anthropic,
  req: ModelRequest,
  signal: AbortSignal,
  onText: (blockIndex: number, text: string) => void,
): Promise<Reply> {
  const params: MessageCreateParamsStreaming = {
    model: req.model,
    max_tokens: req.maxTokens,
    system: req.system,
    messages: req.messages,
    stream: true,
    ...(req.tools?.length ? { tools: req.tools } : {}),
    ...(req.thinkingBudget ? { thinking: { type: "enabled" as const, budget_tokens: req.thinkingBudget } } : {}),
  };
  try {
    const stream = client.messages.stream(params, { signal });
    for await (const event of stream) {
      if (event.type === "content_block_start" && event.content_block.type === "text" && event.content_block.text) {
        onText(event.index, event.content_block.text);
      }
      if (event.type === "content_block_delta" && event.delta.type === "text_delta") onText(event.index, event.delta.text);
    }
    const message = await stream.finalMessage();
    const u = message.usage;
    const usage = u
      ? { inputTokens: u.input_tokens ?? 0, outputTokens: u.output_tokens ?? 0, cacheReadTokens: u.cache_read_input_tokens ?? 0, cacheWriteTokens: u.cache_creation_input_tokens ?? 0 }
      : undefined;
    return { content: message.content.flatMap(toParam), stopReason: message.stop_reason, ...(usage ? { usage } : {}) };
  } catch (err) {
    if (signal.aborted) throw new Interrupted("aborted");
    throw err;
  }
}

/**
 * The reply's blocks as they go back into the conversation (response-only fields dropped), in
 * the order the API sent them: thinking blocks keep their signature and stay ahead of the text
 * and tool calls they belong to, as the API requires when they are sent back.
 */
export function toParam(block: ContentBlock): ContentBlockParam[] {
  switch (block.type) {
    case "text":
      return [{ type: "text", text: block.text }];
    case "tool_use":
      return [{ type: "tool_use", id: block.id, name: block.name, input: block.input }];
    case "thinking":
      return [{ type: "thinking", thinking: block.thinking, signature: block.signature }];
    case "redacted_thinking":
      return [{ type: "redacted_thinking", data: block.data }];
    default:
      return [];
  }
}
