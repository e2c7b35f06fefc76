// The model call: streams one reply through the host gateway, reporting text as it arrives.
// Failures become a ModelError whose message a person can act on.
import Anthropic from "@anthropic-ai/sdk";
import type { ContentBlock, ContentBlockParam, MessageParam, Tool as ApiTool } from "@anthropic-ai/sdk/resources/messages";
import type { Channel } from "./channel";
import { Interrupted, ModelError } from "./errors";

/** The SDK pointed at the host gateway over the socket; the gateway adds the API key. */
export function createClient(channel: Channel): Anthropic {
  return new Anthropic({ apiKey: "unused-by-sandbox", baseURL: "http://dockside-host", fetch: channel.fetch, maxRetries: 2 });
}

export type ModelRequest = { model: string; maxTokens: number; system: string; tools: ApiTool[]; messages: MessageParam[] };

/** Streams one reply; `onText(blockIndex, text)` sees each piece of text as it arrives. */
export async function streamReply(
  client: Anthropic,
  req: ModelRequest,
  signal: AbortSignal,
  onText: (blockIndex: number, text: string) => void,
): Promise<ContentBlockParam[]> {
  try {
    const stream = client.messages.stream(
      { model: req.model, max_tokens: req.maxTokens, system: req.system, tools: req.tools, messages: req.messages },
      { signal },
    );
    for await (const event of stream) {
      if (event.type === "content_block_start" && event.content_block.type === "text" && event.content_block.text) {
        onText(event.index, event.content_block.text);
      }
      if (event.type === "content_block_delta" && event.delta.type === "text_delta") onText(event.index, event.delta.text);
    }
    const message = await stream.finalMessage();
    return message.content.flatMap(toParam);
  } catch (err) {
    if (signal.aborted) throw new Interrupted("aborted");
    throw new ModelError(describe(err));
  }
}

/** The reply's blocks as they go back into the conversation (response-only fields dropped). */
function toParam(block: ContentBlock): ContentBlockParam[] {
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

function describe(err: unknown): string {
  if (err instanceof Anthropic.APIConnectionError) {
    return `could not reach the model gateway on the Dockside host (${err.message}); send a message to try again`;
  }
  if (err instanceof Anthropic.APIError) {
    // The gateway's own refusals (e.g. "no API key configured on the Dockside host") come through as is.
    const detail = err.apiMessage ?? err.message;
    return err.status ? `${err.status}: ${detail}` : detail;
  }
  return err instanceof Error ? err.message : String(err);
}
