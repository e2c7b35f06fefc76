// A pooled worker waits, idle, for a session to claim its sandbox (main.ts `assigned`). Its first
// model request would then pay for what Node and the SDK load and compile on first use: fetch's
// Headers, Response and streams (lazily loaded in Node 18), the SDK's request building and its
// SSE parsing, our streaming loop. Those run once here, against a canned answer that never leaves
// the process: no socket, no session, nothing kept but warm code. Failures are ignored (the real
// request then pays as before).
import Anthropic from "@anthropic-ai/sdk";
import { streamReply } from "./model";

const sse = (events: Record<string, unknown>[]) => events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join("");

const CANNED = sse([
  { type: "message_start", message: { id: "msg_warm", type: "message", role: "assistant", model: "warm", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 0 } } },
  { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
  { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "warm" } },
  { type: "content_block_stop", index: 0 },
  { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_warm", name: "shell", input: {} } },
  { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"command":"true"}' } },
  { type: "content_block_stop", index: 1 },
  { type: "message_delta", delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 2 } },
  { type: "message_stop" },
]);

/** True when the canned answer went through the whole path (a test checks it, so an SDK update cannot quietly make this a no-op). */
export async function warmUp(): Promise<boolean> {
  try {
    const fetch = async (_input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
      new Headers(init.headers).forEach(() => undefined);
      return new Response(new Blob([CANNED]).stream(), { status: 200, headers: { "content-type": "text/event-stream" } });
    };
    const client = new Anthropic({ apiKey: "warm-up", baseURL: "http://warm-up.invalid", fetch, maxRetries: 0 });
    const reply = await streamReply(
      client,
      { model: "warm", maxTokens: 16, system: [{ type: "text", text: "warm" }], tools: [{ name: "shell", description: "warm", input_schema: { type: "object", properties: {} } }], messages: [{ role: "user", content: "warm" }] },
      new AbortController().signal,
      () => undefined,
    );
    return reply.stopReason === "tool_use" && reply.content.length === 2;
  } catch {
    // Warm code is an optimisation only.
    return false;
  }
}
