// A finished Message replayed as the real API's server-sent events, with the pacing a script asks for.
import { once } from "node:events";
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Message, RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages";
import { cutToolJson } from "./reply";
import type { MidStreamFault, Step } from "./script";

type PingEvent = { type: "ping" };
// What the API sends when it fails after the 200 is out (overloaded mid-answer).
type ErrorEvent = { type: "error"; error: { type: string; message: string } };
export type StreamEvent = RawMessageStreamEvent | PingEvent | ErrorEvent;
export type TimedEvent = { data: StreamEvent; delayMs: number } | { disconnect: true; delayMs: number };

const DEFAULT_TEXT_CHUNK = 12;

// Split by code points, never inside a surrogate pair, so every piece is valid on its own.
export function chunk(text: string, size: number): string[] {
  const chars = Array.from(text);
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(""));
  return pieces.length ? pieces : [""];
}

// The real API sends tool input as arbitrary slices of the JSON text, starting with an empty one;
// consumers must concatenate before parsing, and this makes sure they do.
export function jsonPieces(input: unknown): string[] {
  const json = JSON.stringify(input);
  const size = Math.max(4, Math.min(64, Math.ceil(json.length / 3)));
  return ["", ...chunk(json, size)];
}

export function streamEvents(message: Message, step: Step): TimedEvent[] {
  const events: TimedEvent[] = [];
  const push = (data: StreamEvent, delayMs = 0) => events.push({ data, delayMs });
  const specs = step.blocks ?? [];

  push({
    type: "message_start",
    message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } },
  });
  if (!message.content.length) push({ type: "ping" });

  message.content.forEach((block, index) => {
    const spec = specs[index];
    if (block.type === "text") {
      push({ type: "content_block_start", index, content_block: { ...block, text: "" } });
      if (index === 0) push({ type: "ping" });
      const size = spec?.type === "text" ? (spec.chunkSize ?? DEFAULT_TEXT_CHUNK) : DEFAULT_TEXT_CHUNK;
      const delay = spec?.type === "text" ? (spec.chunkDelayMs ?? 0) : 0;
      for (const text of chunk(block.text, size)) {
        push({ type: "content_block_delta", index, delta: { type: "text_delta", text } }, delay);
      }
    } else if (block.type === "tool_use") {
      push({ type: "content_block_start", index, content_block: { ...block, input: {} } });
      if (index === 0) push({ type: "ping" });
      const cut = index === message.content.length - 1 ? cutToolJson(step) : undefined;
      for (const partial_json of cut === undefined ? jsonPieces(block.input) : ["", ...chunk(cut, 16)]) {
        push({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } });
      }
    }
    push({ type: "content_block_stop", index });
  });

  const { usage } = message;
  push({
    type: "message_delta",
    delta: { stop_reason: message.stop_reason, stop_sequence: null, stop_details: null, container: null },
    usage: {
      input_tokens: usage.input_tokens,
      output_tokens: usage.output_tokens,
      cache_creation_input_tokens: usage.cache_creation_input_tokens,
      cache_read_input_tokens: usage.cache_read_input_tokens,
      output_tokens_details: null,
      server_tool_use: null,
    },
  });
  push({ type: "message_stop" });
  return events;
}

// Keeps the stream up to `afterChars` characters of text (default: half of it), then fails it.
export function withFault(events: TimedEvent[], fault: MidStreamFault): TimedEvent[] {
  const deltas = events.flatMap((e) =>
    "data" in e && e.data.type === "content_block_delta" && e.data.delta.type === "text_delta" ? [e.data.delta.text] : [],
  );
  const limit = fault.afterChars ?? Math.floor(deltas.join("").length / 2);
  const kept: TimedEvent[] = [events[0]];
  let chars = 0;
  for (const event of events.slice(1)) {
    if (chars >= limit || ("data" in event && event.data.type === "message_delta")) break;
    kept.push(event);
    if ("data" in event && event.data.type === "content_block_delta" && event.data.delta.type === "text_delta") {
      chars += event.data.delta.text.length;
    }
  }
  if (fault.kind === "disconnect") return [...kept, { disconnect: true, delayMs: 0 }];
  return [...kept, { data: { type: "error", error: { type: fault.type, message: fault.message } }, delayMs: 0 }];
}

export function formatSse(data: StreamEvent): string {
  return `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

// Resolves false instead of throwing when the client has gone away.
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return !signal.aborted;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

// Writes until done or until `signal` says the client disconnected; never throws for a lost client.
export async function writeEvents(res: ServerResponse, events: TimedEvent[], signal: AbortSignal): Promise<void> {
  let written: Promise<void> = Promise.resolve();
  for (const event of events) {
    if (!(await pause(event.delayMs, signal)) || res.destroyed) return;
    if ("disconnect" in event) {
      // What a dropped connection looks like to the client: what was sent arrives, then no end.
      await written;
      res.socket?.destroy();
      return;
    }
    let ok = true;
    written = new Promise((resolve) => {
      ok = res.write(formatSse(event.data), () => resolve());
    });
    if (ok) continue;
    try {
      await once(res, "drain", { signal });
    } catch {
      return;
    }
  }
  res.end();
}
