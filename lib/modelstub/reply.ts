// Turns a request into the step to play and a step into the Message the real API would return.
// Typed with the SDK's own response types, so the compiler checks our shapes against the client's.
import { randomBytes } from "node:crypto";
import type { ContentBlock, Message, StopReason, Usage } from "@anthropic-ai/sdk/resources/messages";
import { demoStep } from "./demo";
import { firstUserText, stepIndex, type MessagesRequest, type Script, type Step } from "./script";

export const FINISHED_TEXT = "(scripted run finished: no more steps)";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// Same look as the real ids ("msg_01…", "toolu_01…", "req_011C…"), which some code logs or shows.
export function makeId(prefix: string, length = 22): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += BASE62[byte % BASE62.length];
  return `${prefix}${out}`;
}

export function tokensFor(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

// `scripts` is searched from the end: the newest script added wins, so a test can shadow a broader one.
export function pickStep(scripts: readonly Script[], request: MessagesRequest): Step {
  const text = firstUserText(request);
  let script: Script | undefined;
  for (let i = scripts.length - 1; i >= 0 && !script; i--) {
    if (text.includes(scripts[i].match)) script = scripts[i];
  }
  if (!script) return demoStep(request);
  const step = script.steps[stepIndex(request)];
  return step ?? { blocks: [{ type: "text", text: FINISHED_TEXT }], stopReason: "end_turn" };
}

function toContent(step: Step): ContentBlock[] {
  return (step.blocks ?? []).map((block): ContentBlock => {
    if (block.type === "text") return { type: "text", text: block.text, citations: null };
    return {
      type: "tool_use",
      id: block.id ?? makeId("toolu_01"),
      name: block.name,
      input: block.input,
      caller: { type: "direct" },
    };
  });
}

function outputChars(content: ContentBlock[]): number {
  let chars = 0;
  for (const block of content) {
    if (block.type === "text") chars += block.text.length;
    if (block.type === "tool_use") chars += block.name.length + JSON.stringify(block.input).length;
  }
  return chars;
}

// The complete message, as a non-streaming call returns it and a stream accumulates to.
export function buildMessage(step: Step, request: MessagesRequest, requestChars: number): Message {
  const content = toContent(step);
  const hasToolUse = content.some((block) => block.type === "tool_use");
  const stopReason: StopReason = step.stopReason ?? (hasToolUse ? "tool_use" : "end_turn");
  const usage: Usage = {
    input_tokens: step.usage?.inputTokens ?? tokensFor(requestChars),
    output_tokens: step.usage?.outputTokens ?? tokensFor(outputChars(content)),
    cache_creation: null,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    inference_geo: null,
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: "standard",
    speed: null,
  };
  return {
    id: makeId("msg_01"),
    type: "message",
    role: "assistant",
    model: request.model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage,
  };
}

// The body the real API sends with a non-2xx status.
export function errorBody(type: string, message: string, requestId = makeRequestId()) {
  return { type: "error", error: { type, message }, request_id: requestId };
}

export function makeRequestId(): string {
  return makeId("req_011C", 20);
}
