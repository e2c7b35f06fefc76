// Turns a request into the step to play and a step into the Message the real API would return.
// Typed with the SDK's own response types, so the compiler checks our shapes against the client's.
import { randomBytes } from "node:crypto";
import { partialParse } from "@anthropic-ai/sdk/_vendor/partial-json-parser/parser";
import type { ContentBlock, Message, StopReason, Usage } from "@anthropic-ai/sdk/resources/messages";
import type { CacheUsage } from "./cache";
import { demoStep } from "./demo";
import { generatedStep, isSummaryRequest, summaryStep } from "./generate";
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
// A summary request is answered as one whatever the script, as the real model would.
export function pickStep(scripts: readonly Script[], request: MessagesRequest): Step {
  if (isSummaryRequest(request)) return summaryStep(request);
  const text = firstUserText(request);
  let script: Script | undefined;
  for (let i = scripts.length - 1; i >= 0 && !script; i--) {
    if (text.includes(scripts[i].match)) script = scripts[i];
  }
  if (!script) return demoStep(request);
  const generated = generatedStep(script, request);
  if (generated) return generated;
  const step = script.steps[stepIndex(request)];
  return step ?? { blocks: [{ type: "text", text: FINISHED_TEXT }], stopReason: "end_turn" };
}

// An answer longer than max_tokens is cut where the allowance runs out, as the model's would be:
// text mid-sentence, a tool call mid-JSON (stop reason max_tokens). Steps that fit are unchanged.
export function fitToMaxTokens(step: Step, maxTokens: number): Step {
  const blocks = step.blocks ?? [];
  let room = maxTokens * 4;
  for (const [index, block] of blocks.entries()) {
    const size = block.type === "text" ? block.text.length : block.name.length + JSON.stringify(block.input).length;
    if (size <= room) {
      room -= size;
      continue;
    }
    const kept = blocks.slice(0, index);
    const cut = block.type === "text" ? { ...block, text: Array.from(block.text).slice(0, room).join("") } : { ...block, cutAt: Math.max(0, room - block.name.length) };
    return { ...step, blocks: [...kept, cut], stopReason: "max_tokens" };
  }
  return step;
}

/** The JSON of the tool call cut by max_tokens, if the step ends in one (what was streamed of it). */
export function cutToolJson(step: Step): string | undefined {
  const last = step.blocks?.at(-1);
  if (step.stopReason !== "max_tokens" || last?.type !== "tool_use") return undefined;
  const json = JSON.stringify(last.input);
  return json.slice(0, Math.min(json.length - 1, last.cutAt ?? Math.floor(json.length / 2)));
}

function toContent(step: Step): ContentBlock[] {
  const blocks = step.blocks ?? [];
  const cut = cutToolJson(step);
  return blocks.map((block, index): ContentBlock => {
    if (block.type === "text") return { type: "text", text: block.text, citations: null };
    const partial = cut !== undefined && index === blocks.length - 1;
    return {
      type: "tool_use",
      id: block.id ?? makeId("toolu_01"),
      name: block.name,
      // What the SDK's own accumulator makes of the unfinished JSON.
      input: partial ? (cut ? (partialParse(cut) as unknown) : {}) : block.input,
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
export function buildMessage(step: Step, request: MessagesRequest, prompt: CacheUsage): Message {
  const content = toContent(step);
  const hasToolUse = content.some((block) => block.type === "tool_use");
  const stopReason: StopReason = step.stopReason ?? (hasToolUse ? "tool_use" : "end_turn");
  // A max_tokens stop means the whole allowance was spent, whatever the script's text adds up to.
  const outputTokens = stopReason === "max_tokens" ? request.max_tokens : tokensFor(outputChars(content));
  const usage: Usage = {
    input_tokens: step.usage?.inputTokens ?? prompt.input,
    output_tokens: step.usage?.outputTokens ?? outputTokens,
    cache_creation: { ephemeral_5m_input_tokens: prompt.write, ephemeral_1h_input_tokens: 0 },
    cache_creation_input_tokens: prompt.write,
    cache_read_input_tokens: prompt.read,
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
