// Drives the stub with the real SDK, so a change in how the SDK reads responses shows up here.
import Anthropic, { APIError, BadRequestError, OverloadedError } from "@anthropic-ai/sdk";
import type { MessageParam, RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FINISHED_TEXT } from "./reply";
import { startModelStub, type ModelStub } from "./server";

const model = "claude-sonnet-5-5";
const longText = "The quick brown fox jumps over the lazy dog, then writes a report about it.";
const shellInput = { command: "echo 'quoted \"text\" ✓ 😀' && ls -la", timeout_s: 30 };

let stub: ModelStub;
let client: Anthropic;

beforeAll(async () => {
  stub = await startModelStub({
    scripts: [
      { match: "say-hello", steps: [{ blocks: [{ type: "text", text: longText, chunkSize: 10 }] }] },
      {
        match: "use-tool",
        steps: [
          { blocks: [{ type: "text", text: "Running it." }, { type: "tool_use", name: "shell", input: shellInput }] },
          { blocks: [{ type: "text", text: "second step" }] },
        ],
      },
      { match: "overloaded", steps: [{ error: { status: 529, type: "overloaded_error", message: "Overloaded" } }] },
      { match: "bad-request", steps: [{ error: { status: 400, type: "invalid_request_error", message: "nope" } }] },
      { match: "slow", steps: [{ blocks: [{ type: "text", text: "x".repeat(200), chunkSize: 1, chunkDelayMs: 20 }] }] },
    ],
  });
  client = new Anthropic({ baseURL: stub.url, apiKey: "test-key", maxRetries: 0 });
});

afterAll(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
});

const ask = (text: string, history: MessageParam[] = []) => ({
  model,
  max_tokens: 1024,
  messages: [{ role: "user" as const, content: text }, ...history],
});

describe("model stub with the real SDK", () => {
  it("streams text as several deltas that add up to the final message", async () => {
    const deltas: string[] = [];
    const stream = client.messages.stream(ask("please say-hello"));
    stream.on("text", (delta) => deltas.push(delta));
    const message = await stream.finalMessage();

    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join("")).toBe(longText);
    expect(message.content).toEqual([{ type: "text", text: longText, citations: null }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.model).toBe(model);
    expect(message.id).toMatch(/^msg_/);
    expect(message.usage.output_tokens).toBe(Math.ceil(longText.length / 4));
  });

  it("hands the SDK a tool_use block whose input parses back exactly", async () => {
    const message = await client.messages.stream(ask("use-tool")).finalMessage();
    expect(message.stop_reason).toBe("tool_use");
    const [text, tool] = message.content;
    expect(text).toMatchObject({ type: "text", text: "Running it." });
    expect(tool).toMatchObject({ type: "tool_use", name: "shell", input: shellInput });
    expect(tool.type === "tool_use" && tool.id).toMatch(/^toolu_/);
  });

  it("sends the raw event sequence of the real API, with tool input in several JSON pieces", async () => {
    const stream = await client.messages.create({ ...ask("use-tool"), stream: true });
    const events: RawMessageStreamEvent[] = [];
    for await (const event of stream) events.push(event);

    expect(events[0].type).toBe("message_start");
    expect(events.at(-2)?.type).toBe("message_delta");
    expect(events.at(-1)?.type).toBe("message_stop");
    const start = events[0].type === "message_start" ? events[0].message : undefined;
    expect(start).toMatchObject({ role: "assistant", model, content: [], stop_reason: null });

    const pieces = events.flatMap((e) =>
      e.type === "content_block_delta" && e.delta.type === "input_json_delta" ? [e.delta.partial_json] : [],
    );
    expect(pieces.filter(Boolean).length).toBeGreaterThan(1);
    expect(JSON.parse(pieces.join(""))).toEqual(shellInput);
    const delta = events.find((e) => e.type === "message_delta");
    expect(delta?.type === "message_delta" && delta.delta.stop_reason).toBe("tool_use");
  });

  it("answers without streaming with the complete message", async () => {
    const message = await client.messages.create(ask("use-tool"));
    expect(message.content[1]).toMatchObject({ type: "tool_use", input: shellInput });
    expect(message.stop_reason).toBe("tool_use");
  });

  it("picks the step by the number of assistant messages, then reports the script finished", async () => {
    const turn = (n: number): MessageParam[] =>
      Array.from({ length: n }, () => [
        { role: "assistant" as const, content: "ok" },
        { role: "user" as const, content: "go on" },
      ]).flat();
    const second = await client.messages.create(ask("use-tool", turn(1)));
    expect(second.content).toMatchObject([{ type: "text", text: "second step" }]);
    const done = await client.messages.create(ask("use-tool", turn(2)));
    expect(done.content).toMatchObject([{ type: "text", text: FINISHED_TEXT }]);
    expect(done.stop_reason).toBe("end_turn");
  });

  it("surfaces error steps as the SDK's typed API errors", async () => {
    const overloaded = await client.messages.stream(ask("overloaded")).finalMessage().catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(OverloadedError);
    expect(overloaded).toMatchObject({ status: 529, type: "overloaded_error" });

    const bad = await client.messages.create(ask("bad-request")).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(BadRequestError);
    expect(bad).toMatchObject({ status: 400, type: "invalid_request_error", apiMessage: "nope" });
    expect((bad as APIError).requestID).toMatch(/^req_/);
  });

  it("plays the demo scenario when no script matches", async () => {
    const first = await client.messages.stream(ask("Add a dark mode toggle")).finalMessage();
    expect(first.content[1]).toMatchObject({
      type: "tool_use",
      name: "shell",
      input: { command: "ls -la && git log --oneline -5" },
    });
    const history: MessageParam[] = [
      { role: "assistant", content: "a" },
      { role: "user", content: "b" },
      { role: "assistant", content: "c" },
      { role: "user", content: "d" },
    ];
    const write = await client.messages.create(ask("Add a dark mode toggle", history));
    const tool = write.content.find((b) => b.type === "tool_use");
    expect(tool).toMatchObject({ name: "write_file", input: { path: "DOCKSIDE_DEMO.md" } });
    expect(JSON.stringify(tool?.type === "tool_use" && tool.input)).toContain("> Add a dark mode toggle");
  });

  it("records each request with lower-cased headers and the parsed body", async () => {
    await client.messages.create(ask("say-hello"));
    // This SDK sends an apiKey as a bearer token; a gateway that wants x-api-key must set it itself.
    expect(stub.requests[0].headers.authorization).toBe("Bearer test-key");
    expect(stub.requests[0].body).toMatchObject({ model, messages: [{ role: "user", content: "say-hello" }] });

    const viaGateway = new Anthropic({ baseURL: stub.url, apiKey: null, defaultHeaders: { "X-Api-Key": "gw-key" } });
    await viaGateway.messages.create(ask("say-hello"));
    expect(stub.requests[1].headers["x-api-key"]).toBe("gw-key");

    const listed = (await (await fetch(`${stub.url}/__requests`)).json()) as unknown[];
    expect(listed).toHaveLength(2);
    await fetch(`${stub.url}/__requests`, { method: "DELETE" });
    expect(stub.requests).toHaveLength(0);
  });

  it("keeps serving after a client disconnects mid-stream", async () => {
    const stream = client.messages.stream(ask("slow"));
    await new Promise<void>((resolve) => stream.once("text", () => resolve()));
    stream.abort();
    await stream.done().catch(() => undefined);
    const message = await client.messages.create(ask("say-hello"));
    expect(message.content[0]).toMatchObject({ text: longText });
  });
});

describe("model stub HTTP surface", () => {
  const post = (path: string, body: unknown) =>
    fetch(`${stub.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("rejects an invalid Messages request with the API's error shape", async () => {
    const res = await post("/v1/messages", { model, messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(body.error.message).toContain("max_tokens");
  });

  it("adds scripts over HTTP and refuses invalid ones with the zod message", async () => {
    const bad = await post("/__scripts", { match: "x", steps: [{ blocks: [{ type: "tool_use" }] }] });
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.error.message).toMatch(/steps\.0\.blocks\.0\.name/);

    const good = await post("/__scripts", { match: "via-http", steps: [{ blocks: [{ type: "text", text: "hi!" }] }] });
    expect(good.status).toBe(200);
    const message = await client.messages.create(ask("call via-http"));
    expect(message.content[0]).toMatchObject({ text: "hi!" });
  });

  it("lets the newest script win when several match", async () => {
    stub.addScript({ match: "hello-shadow", steps: [{ blocks: [{ type: "text", text: "shadowed" }] }] });
    const message = await client.messages.create(ask("say-hello-shadow"));
    expect(message.content[0]).toMatchObject({ text: "shadowed" });
  });

  it("answers unknown routes with a 404 JSON error", async () => {
    const res = await fetch(`${stub.url}/v1/nothing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
  });
});
