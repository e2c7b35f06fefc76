// Token counts of a forwarded model answer, read beside the stream (never in front of it): from the
// SSE events message_start and message_delta, or from a JSON answer once it is complete.
import { createParser, type EventSourceParser } from "eventsource-parser";
import { ev, type NewEvent } from "../events/schema";
import { costOf } from "../models/table";

interface Usage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

// An answer's events are small; a line longer than this is not an answer the meter can read.
const MAX_SSE_BUFFER = 16 * 1024 * 1024;
const MAX_JSON = 4 * 1024 * 1024;
// Only these carry usage: the many content deltas are never parsed.
const USAGE_EVENTS = new Set(["message_start", "message_delta"]);

/** Reads token counts from the SSE stream or a JSON answer. */
export class UsageMeter {
  private parser: EventSourceParser | null = null;
  private json = "";
  private usage: Usage = {};
  private decoder = new TextDecoder();
  constructor(private model: string) {}

  feedSse(chunk: Uint8Array): void {
    this.parser ??= createParser({ onEvent: (e) => this.onEvent(e.event, e.data), maxBufferSize: MAX_SSE_BUFFER });
    try {
      this.parser.feed(this.decoder.decode(chunk, { stream: true }));
    } catch {
      // The parser gave up on an oversized line: the answer still streams, its usage is unknown.
    }
  }

  feedJson(chunk: Uint8Array): void {
    if (this.json.length < MAX_JSON) this.json += this.decoder.decode(chunk, { stream: true });
  }

  private onEvent(name: string | undefined, data: string): void {
    if (name !== undefined && !USAGE_EVENTS.has(name)) return;
    try {
      const msg = JSON.parse(data) as { type?: string; message?: { usage?: Usage; model?: string }; usage?: Usage };
      if (msg.type === "message_start" && msg.message?.usage) this.usage = { ...msg.message.usage };
      if (msg.type === "message_start" && msg.message?.model) this.model = msg.message.model;
      if (msg.type === "message_delta" && msg.usage) this.usage = { ...this.usage, ...msg.usage };
    } catch {
      // not JSON: ignore
    }
  }

  /** The usage event of the answer, or null when it carried no token counts. */
  event(): NewEvent | null {
    if (this.json) {
      try {
        const m = JSON.parse(this.json) as { usage?: Usage; model?: string };
        this.usage = m.usage ?? {};
        this.model = m.model ?? this.model;
      } catch {
        return null;
      }
    }
    const u = this.usage;
    if (u.input_tokens === undefined && u.output_tokens === undefined) return null;
    const tokens = {
      inputTokens: u.input_tokens ?? 0,
      outputTokens: u.output_tokens ?? 0,
      cacheReadTokens: u.cache_read_input_tokens ?? undefined,
      cacheWriteTokens: u.cache_creation_input_tokens ?? undefined,
    };
    return ev("usage", { model: this.model, ...tokens, costUsd: costOf(this.model, tokens) });
  }
}
