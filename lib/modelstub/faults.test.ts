// The failures and stop reasons a script can ask for, as the real SDK sees them.
import Anthropic, { APIError, InternalServerError, OverloadedError, RateLimitError } from "@anthropic-ai/sdk";
import type { RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startModelStub, type ModelStub } from "./server";

const model = "claude-sonnet-5-5";
const answer = "A long answer that the network will interrupt half way through, sadly.";
const input = { path: "src/app.ts", content: "export const a = 1;\n".repeat(20) };

let stub: ModelStub;
let client: Anthropic;

beforeAll(async () => {
  stub = await startModelStub({
    scripts: [
      { match: "rate-limited", steps: [{ error: { status: 429, type: "rate_limit_error", message: "Slow down", retryAfterS: 3 } }] },
      { match: "server-error", steps: [{ error: { status: 500, type: "api_error", message: "Internal server error" } }] },
      {
        match: "flaky",
        steps: [{ error: { status: 529, type: "overloaded_error", message: "Overloaded", retryAfterS: 0 }, failTimes: 2, blocks: [{ type: "text", text: "made it" }] }],
      },
      { match: "overloaded-mid-stream", steps: [{ blocks: [{ type: "text", text: answer, chunkSize: 5 }], midStream: { kind: "error" } }] },
      { match: "dropped", steps: [{ blocks: [{ type: "text", text: answer, chunkSize: 5 }], midStream: { kind: "disconnect", afterChars: 10 } }] },
      { match: "cut-text", steps: [{ blocks: [{ type: "text", text: "It was the best of" }], stopReason: "max_tokens" }] },
      {
        match: "cut-tool",
        steps: [{ blocks: [{ type: "text", text: "Writing." }, { type: "tool_use", name: "write_file", input }], stopReason: "max_tokens" }],
      },
      { match: "long-answer", steps: [{ blocks: [{ type: "text", text: "word ".repeat(100) }, { type: "tool_use", name: "write_file", input }] }] },
      { match: "stop-pause_turn", steps: [{ blocks: [{ type: "text", text: "Still searching" }], stopReason: "pause_turn" }] },
      { match: "stop-refusal", steps: [{ blocks: [{ type: "text", text: "I can't help" }], stopReason: "refusal" }] },
      {
        match: "stop-model_context_window_exceeded",
        steps: [{ blocks: [{ type: "text", text: "Partial" }], stopReason: "model_context_window_exceeded" }],
      },
    ],
  });
  client = new Anthropic({ baseURL: stub.url, apiKey: "test-key", maxRetries: 0 });
});
afterAll(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
});

const ask = (text: string, max_tokens = 256) => ({ model, max_tokens, messages: [{ role: "user" as const, content: text }] });

describe("errors a script can inject", () => {
  it("answers 429 with retry-after and 500 as the SDK's typed errors", async () => {
    const limited = await client.messages.create(ask("rate-limited")).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RateLimitError);
    expect((limited as RateLimitError).headers.get("retry-after")).toBe("3");
    const broken = await client.messages.create(ask("server-error")).catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(InternalServerError);
  });

  it("fails a step the first N times only, so a retrying client gets through", async () => {
    const once = await client.messages.create(ask("flaky")).catch((e: unknown) => e);
    expect(once).toBeInstanceOf(OverloadedError);
    const retrying = new Anthropic({ baseURL: stub.url, apiKey: "k", maxRetries: 2 });
    const message = await retrying.messages.create(ask("flaky"));
    expect(message.content).toMatchObject([{ type: "text", text: "made it" }]);
    expect(stub.requests.map((r) => r.status)).toEqual([529, 529, 200]);
  });

  it("sends an overloaded error event after some text of a stream", async () => {
    let text = "";
    const stream = client.messages.stream(ask("overloaded-mid-stream"));
    stream.on("text", (delta) => (text += delta));
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).error).toMatchObject({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    expect(text.length).toBeGreaterThan(0);
    expect(answer.startsWith(text) && text.length < answer.length).toBe(true);
  });

  it("drops the connection in the middle of a stream", async () => {
    let text = "";
    const stream = client.messages.stream(ask("dropped"));
    stream.on("text", (delta) => (text += delta));
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(text).toBe(answer.slice(0, 10));
    // The stub itself carries on.
    expect((await client.messages.create(ask("cut-text"))).stop_reason).toBe("max_tokens");
  });
});

describe("stop reasons a script can ask for", () => {
  it("stops text at max_tokens, reporting the whole allowance as spent", async () => {
    const message = await client.messages.create(ask("cut-text", 300));
    expect(message.stop_reason).toBe("max_tokens");
    expect(message.usage.output_tokens).toBe(300);
  });

  it("cuts a tool call's JSON mid-way under max_tokens", async () => {
    const events: RawMessageStreamEvent[] = [];
    for await (const event of await client.messages.create({ ...ask("cut-tool"), stream: true })) events.push(event);
    const json = events
      .flatMap((e) => (e.type === "content_block_delta" && e.delta.type === "input_json_delta" ? [e.delta.partial_json] : []))
      .join("");
    expect(JSON.stringify(input).startsWith(json)).toBe(true);
    expect(() => JSON.parse(json)).toThrow();
    const delta = events.find((e) => e.type === "message_delta");
    expect(delta?.type === "message_delta" && delta.delta.stop_reason).toBe("max_tokens");

    const final = await client.messages.stream(ask("cut-tool")).finalMessage();
    const tool = final.content.find((b) => b.type === "tool_use");
    expect(tool?.type === "tool_use" && tool.input).not.toEqual(input);
  });

  it("cuts an answer longer than max_tokens where the allowance runs out", async () => {
    const short = await client.messages.create(ask("long-answer", 50));
    expect(short.stop_reason).toBe("max_tokens");
    expect(short.content).toEqual([{ type: "text", text: "word ".repeat(100).slice(0, 200), citations: null }]);

    const midTool = await client.messages.stream(ask("long-answer", 200)).finalMessage();
    expect(midTool.stop_reason).toBe("max_tokens");
    expect(midTool.content[1]).toMatchObject({ type: "tool_use", name: "write_file" });
    expect(midTool.content[1].type === "tool_use" && midTool.content[1].input).not.toEqual(input);

    const whole = await client.messages.create(ask("long-answer", 1000));
    expect(whole.stop_reason).toBe("tool_use");
    expect(whole.content[1]).toMatchObject({ input });
  });

  it.each(["pause_turn", "refusal", "model_context_window_exceeded"] as const)("ends a turn with %s", async (reason) => {
    const message = await client.messages.stream(ask(`stop-${reason}`)).finalMessage();
    expect(message.stop_reason).toBe(reason);
  });
});
