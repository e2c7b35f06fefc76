// Prompt caching and the context window, read back through the real SDK the way the worker reads them.
import Anthropic, { BadRequestError } from "@anthropic-ai/sdk";
import type { MessageCreateParamsNonStreaming, MessageParam, TextBlockParam, Tool } from "@anthropic-ai/sdk/resources/messages";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startModelStub, type ModelStub } from "./server";
import { estimateTokens } from "./tokens";

const model = "claude-sonnet-5-5";
const cc = { cache_control: { type: "ephemeral" as const } };
const words = (n: number) => "lorem ipsum ".repeat(n);
// About 1500 tokens each: over the 1024 minimum, under Haiku's 2048.
const bigSystem = words(500);
const tools: Tool[] = [
  { name: "shell", description: words(100), input_schema: { type: "object", properties: { command: { type: "string" } } } },
  { name: "read_file", description: words(100), input_schema: { type: "object", properties: { path: { type: "string" } } }, ...cc },
];

let clock = 1_000_000;
let stub: ModelStub;
let client: Anthropic;

beforeAll(async () => {
  // One script for every prompt, answering at once (the demo it replaces takes its time).
  stub = await startModelStub({ now: () => clock, contextTokens: 20_000, scripts: [{ match: "", steps: [{ blocks: [{ type: "text", text: "ok" }] }] }] });
  client = new Anthropic({ baseURL: stub.url, apiKey: "test-key", maxRetries: 0 });
});
afterAll(() => stub.close());
afterEach(() => {
  stub.clearCache();
  stub.requests.length = 0;
});

function params(messages: MessageParam[], extra: Partial<MessageCreateParamsNonStreaming> = {}): MessageCreateParamsNonStreaming {
  return { model, max_tokens: 1000, system: [{ type: "text", text: bigSystem, ...cc }], messages, ...extra };
}
const usageOf = async (p: MessageCreateParamsNonStreaming) => (await client.messages.create(p)).usage;

describe("prompt caching in the model stub", () => {
  it("writes a long enough prefix once, then reads it, reporting it in message_start and the final usage", async () => {
    const messages: MessageParam[] = [{ role: "user", content: "hello" }];
    const first = await usageOf(params(messages));
    const systemTokens = estimateTokens({ type: "text", text: bigSystem });
    expect(first).toMatchObject({ cache_read_input_tokens: 0, cache_creation_input_tokens: systemTokens });
    expect(first.input_tokens).toBeGreaterThan(0);
    expect(first.input_tokens).toBeLessThan(20);

    const events = [];
    for await (const event of await client.messages.create({ ...params(messages), stream: true })) events.push(event);
    const start = events[0].type === "message_start" ? events[0].message.usage : undefined;
    expect(start).toMatchObject({ cache_read_input_tokens: systemTokens, cache_creation_input_tokens: 0, input_tokens: first.input_tokens });
    const delta = events.find((e) => e.type === "message_delta");
    expect(delta?.type === "message_delta" && delta.usage).toMatchObject({ cache_read_input_tokens: systemTokens });
    expect(stub.requests.map((r) => r.usage?.cache_read_input_tokens)).toEqual([0, systemTokens]);
  });

  it("caches tools, system and the conversation as one prefix in that order", async () => {
    const turn1: MessageParam[] = [{ role: "user", content: [{ type: "text", text: words(200), ...cc }] }];
    const a = await usageOf(params(turn1, { tools }));
    expect(a.cache_read_input_tokens).toBe(0);
    expect(a.input_tokens).toBe(0);
    const b = await usageOf(params(turn1, { tools }));
    expect(b).toMatchObject({ cache_read_input_tokens: a.cache_creation_input_tokens, cache_creation_input_tokens: 0, input_tokens: 0 });
    // A different tool list is a different prefix: nothing after it can be read.
    const c = await usageOf(params(turn1, { tools: tools.slice(1) }));
    expect(c.cache_read_input_tokens).toBe(0);
  });

  it("does not cache a prefix under the model's minimum (1024 tokens, 2048 for Haiku)", async () => {
    const short = params([{ role: "user", content: "hi" }], { system: [{ type: "text", text: words(100), ...cc }] });
    await usageOf(short);
    expect(await usageOf(short)).toMatchObject({ cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });

    const haiku = params([{ role: "user", content: "hi" }], { model: "claude-haiku-4-5" });
    await usageOf(haiku);
    expect(await usageOf(haiku)).toMatchObject({ cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
    // The same prompt for another model is another cache entry.
    await usageOf(params([{ role: "user", content: "hi" }]));
    expect((await usageOf(params([{ role: "user", content: "hi" }]))).cache_read_input_tokens).toBeGreaterThan(1024);
  });

  it("forgets a prefix five minutes after its last use, and each read renews it", async () => {
    const p = params([{ role: "user", content: "hello" }]);
    const written = (await usageOf(p)).cache_creation_input_tokens;
    clock += 4 * 60_000;
    expect((await usageOf(p)).cache_read_input_tokens).toBe(written);
    clock += 4 * 60_000;
    expect((await usageOf(p)).cache_read_input_tokens).toBe(written);
    clock += 5 * 60_000 + 1;
    expect(await usageOf(p)).toMatchObject({ cache_read_input_tokens: 0, cache_creation_input_tokens: written });
  });

  it("reads the previous turn's prefix when the breakpoint moves to the newest message (20-block lookback)", async () => {
    const task: MessageParam = { role: "user", content: [{ type: "text", text: words(600) }] };
    const marked = (m: MessageParam): MessageParam => ({ ...m, content: [{ ...(m.content as TextBlockParam[])[0], ...cc }] });
    const noSystem = { system: undefined };
    const first = await usageOf(params([marked(task)], noSystem));
    expect(first.cache_creation_input_tokens).toBeGreaterThan(1024);

    const exchange = (i: number): MessageParam[] => [
      { role: "assistant", content: `step ${i}` },
      { role: "user", content: [{ type: "text", text: `output ${i}` }] },
    ];
    const near = [task, ...exchange(1)];
    const second = await usageOf(params([...near.slice(0, -1), marked(near.at(-1)!)], noSystem));
    expect(second.cache_read_input_tokens).toBe(first.cache_creation_input_tokens);
    expect(second.cache_creation_input_tokens).toBeGreaterThan(0);

    // 30 blocks later the old prefix is out of the breakpoint's reach.
    stub.clearCache();
    await usageOf(params([marked(task)], noSystem));
    const far = [task, ...Array.from({ length: 15 }, (_, i) => exchange(i)).flat()];
    const third = await usageOf(params([...far.slice(0, -1), marked(far.at(-1)!)], noSystem));
    expect(third.cache_read_input_tokens).toBe(0);
  });

  it("refuses more than four cache_control blocks with the API's message", async () => {
    const five: MessageParam = { role: "user", content: Array.from({ length: 5 }, (_, i) => ({ type: "text" as const, text: `p${i}`, ...cc })) };
    const error = await client.messages.create(params([five], { system: undefined })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toContain("A maximum of 4 blocks with cache_control may be provided. Found 5.");
  });
});

describe("context window of the model stub", () => {
  it("answers a prompt over the window with the API's `prompt is too long` error", async () => {
    const error = await usageOf(params([{ role: "user", content: words(8000) }])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    const body = (error as BadRequestError).error;
    expect(body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(JSON.stringify(body)).toMatch(/"prompt is too long: \d+ tokens > 20000 maximum"/);
    expect(stub.requests[0].status).toBe(400);
  });

  it("counts max_tokens against the window, and takes the window from MODELSTUB_CONTEXT_TOKENS", async () => {
    const fits = await usageOf(params([{ role: "user", content: "hi" }], { max_tokens: 15_000 }));
    expect(fits.input_tokens).toBeGreaterThan(0);
    const error = await usageOf(params([{ role: "user", content: "hi" }], { max_tokens: 19_000 })).catch((e: unknown) => e);
    expect((error as BadRequestError).message).toMatch(/prompt is too long: 2\d{4} tokens > 20000 maximum/);

    process.env.MODELSTUB_CONTEXT_TOKENS = "60000";
    const fromEnv = await startModelStub().finally(() => delete process.env.MODELSTUB_CONTEXT_TOKENS);
    expect(fromEnv.contextTokens).toBe(60_000);
    await fromEnv.close();
  });
});
