// The usage meter reads token counts beside the stream: from SSE split anywhere (even inside a
// line or a multi-byte character) and from a JSON answer.
import { describe, expect, it } from "vitest";
import { UsageMeter } from "./gateway-usage";

const sse = [
  `event: message_start\r\ndata: {"type":"message_start","message":{"model":"claude-x","usage":{"input_tokens":120,"output_tokens":1,"cache_read_input_tokens":30}}}\r\n\r\n`,
  `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"héllo \\"usage\\""}}\n\n`,
  `event: ping\ndata: {"type": "ping"}\n\n`,
  `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":42}}\n\n`,
  `event: message_stop\ndata: {"type":"message_stop"}\n\n`,
].join("");

describe("UsageMeter", () => {
  it("counts the tokens of an SSE answer however its bytes are cut", () => {
    const bytes = Buffer.from(sse, "utf8");
    for (const size of [1, 7, 64, bytes.length]) {
      const meter = new UsageMeter("claude-asked");
      for (let i = 0; i < bytes.length; i += size) meter.feedSse(bytes.subarray(i, i + size));
      const event = meter.event();
      expect(event?.type).toBe("usage");
      expect(event?.data).toMatchObject({ model: "claude-x", inputTokens: 120, outputTokens: 42, cacheReadTokens: 30 });
    }
  });

  it("counts the tokens of a JSON answer, and nothing for an answer without usage", () => {
    const meter = new UsageMeter("claude-asked");
    meter.feedJson(Buffer.from(`{"model":"claude-y","usage":{"input_tokens":5,`));
    meter.feedJson(Buffer.from(`"output_tokens":6}}`));
    expect(meter.event()?.data).toMatchObject({ model: "claude-y", inputTokens: 5, outputTokens: 6 });
    const empty = new UsageMeter("m");
    empty.feedSse(Buffer.from(`event: error\ndata: {"type":"error"}\n\n`));
    expect(empty.event()).toBeNull();
  });
});
