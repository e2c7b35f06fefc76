// The model gateway on a real channel socket, in front of the scripted Messages API: a session
// may use its own model with its own tools; everything else is refused before it leaves the host.
process.env.DOCKSIDE_GATEWAY_RPM = "20";
process.env.DOCKSIDE_MODELS = "claude-extra-model";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODEL, request, startGatewayRig, type TestSession } from "../../test/channel-client";
import { waitFor } from "../../test/fixtures";
import { allEvents } from "../../test/session-harness";
import { freePort } from "../../test/http-harness";
import { env } from "../config/env";
import type { ModelStub } from "../modelstub/server";

let rig: Awaited<ReturnType<typeof startGatewayRig>>;
let stub: ModelStub;
beforeAll(async () => {
  rig = await startGatewayRig([
    { match: "GW-ok", steps: [{ blocks: [{ type: "text", text: "hello from the model" }] }] },
    { match: "GW-slow", steps: [{ delayMs: 3000, blocks: [{ type: "text", text: "slow" }] }] },
  ]);
  stub = rig.stub;
});
afterAll(async () => rig?.close());
const session = () => rig.session();

const ask = (prompt: string, extra: Record<string, unknown> = {}) => ({
  model: MODEL,
  max_tokens: 1024,
  stream: true,
  system: "you are a test",
  tools: [{ name: "shell", description: "run a command", input_schema: { type: "object", properties: { command: { type: "string" } } } }],
  messages: [{ role: "user", content: [{ type: "text", text: prompt }] }],
  ...extra,
});
const call = (s: TestSession, body: unknown, headers: Record<string, string> = {}) =>
  request(s.socket, "POST", "/v1/messages", body, { "anthropic-version": "2023-06-01", authorization: "Bearer sandbox-token", ...headers });

describe("the model gateway", () => {
  it("streams an allowed request with the host's key and records its usage", async () => {
    const s = await session();
    const r = await call(s, ask("GW-ok please"), { "anthropic-beta": "prompt-caching-2024-07-31" });
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toMatch(/text\/event-stream/);
    expect(r.text).toContain("message_start");
    expect(r.text).toContain("text_delta");
    expect(r.text).toContain("message_stop");
    const seen = stub.requests[stub.requests.length - 1];
    expect(seen.headers["x-api-key"]).toBe("test-key");
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers["anthropic-beta"]).toBe("prompt-caching-2024-07-31");
    expect(seen.body).toEqual(ask("GW-ok please"));
    const usage = await waitFor(async () => (await allEvents(s.id)).find((e) => e.type === "usage"), "the usage event");
    expect(usage.type === "usage" && usage.data.outputTokens).toBeGreaterThan(0);
  });

  const refusals: [string, unknown, Record<string, string>, number, string][] = [
    ["another model", ask("GW-ok", { model: "claude-opus-other" }), {}, 400, "is not allowed for this session"],
    ["a server tool", ask("GW-ok", { tools: [{ type: "web_fetch_20250910", name: "web_fetch" }] }), {}, 400, "server tool"],
    ["a typed tool", ask("GW-ok", { tools: [{ type: "bash_20250124", name: "bash" }] }), {}, 400, "server tool"],
    ["MCP servers", ask("GW-ok", { mcp_servers: [{ type: "url", url: "https://example.com/mcp", name: "x" }] }), {}, 400, '"mcp_servers" is not allowed'],
    ["a container", ask("GW-ok", { container: "c1" }), {}, 400, '"container" is not allowed'],
    ["an unknown beta", ask("GW-ok"), { "anthropic-beta": "prompt-caching-2024-07-31,files-api-2025-04-14" }, 400, "files-api-2025-04-14"],
    ["max_tokens 64000", ask("GW-ok", { max_tokens: 64000 }), {}, 400, "max_tokens 64000"],
    ["an image from a URL", ask("GW-ok", { messages: [{ role: "user", content: [{ type: "image", source: { type: "url", url: "http://169.254.169.254/" } }] }] }), {}, 400, "URL or a file id"],
    ["a document from the Files API", ask("GW-ok", { messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: [{ type: "document", source: { type: "file", file_id: "f" } }] }] }] }), {}, 400, "URL or a file id"],
    ["a server tool block", ask("GW-ok", { messages: [{ role: "assistant", content: [{ type: "server_tool_use", id: "s", name: "web_search", input: {} }] }] }), {}, 400, "server_tool_use"],
    ["a body that is not JSON", "{not json", {}, 400, "not JSON"],
  ];
  for (const [what, body, headers, status, why] of refusals) {
    it(`refuses ${what} with an Anthropic-shaped error the worker shows, before reaching the API`, async () => {
      const s = await session();
      const before = stub.requests.length;
      const r = await call(s, body, headers);
      expect(r.status).toBe(status);
      const err = r.json() as { type: string; error: { type: string; message: string } };
      expect(err.type).toBe("error");
      expect(err.error.type).toBe("invalid_request_error");
      expect(err.error.message).toMatch(/^Dockside refused this model request: /);
      expect(err.error.message).toContain(why);
      expect(stub.requests.length).toBe(before);
      const note = await waitFor(async () => (await allEvents(s.id)).find((e) => e.type === "error" && e.data.source === "host"), "the note");
      expect(note.type === "error" && note.data.message).toBe(err.error.message);
    });
  }

  it("allows a model from DOCKSIDE_MODELS", async () => {
    const s = await session();
    expect((await call(s, ask("GW-ok", { model: "claude-extra-model" }))).status).toBe(200);
  });

  it("answers 413 to a 31 MB body without forwarding it", async () => {
    const s = await session();
    const before = stub.requests.length;
    const big = JSON.stringify(ask("x".repeat(31 * 1024 * 1024)));
    const r = await call(s, big);
    expect(r.status).toBe(413);
    expect((r.json() as { error: { type: string } }).error.type).toBe("request_too_large");
    expect(stub.requests.length).toBe(before);
  });

  it("limits model calls per minute and at once, with retry-after", async () => {
    const s = await session();
    const slow = [call(s, ask("GW-slow 1")), call(s, ask("GW-slow 2"))];
    await waitFor(async () => stub.requests.filter((r) => JSON.stringify(r.body).includes("GW-slow")).length >= 2, "two calls in flight");
    const third = await call(s, ask("GW-ok third"));
    expect(third.status).toBe(429);
    expect((third.json() as { error: { type: string } }).error.type).toBe("rate_limit_error");
    expect(third.headers["retry-after"]).toBe("1");
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200]);

    const statuses: number[] = [];
    for (let i = 0; i < 20 && !statuses.includes(429); i++) statuses.push((await call(s, ask("GW-ok"))).status);
    expect(statuses.slice(0, -1).every((st) => st === 200)).toBe(true);
    expect(statuses[statuses.length - 1]).toBe(429);
  });
  it("answers 502 naming the model API when the host cannot reach it, and the next call goes through", async () => {
    const s = await session();
    const e = env();
    const was = e.ANTHROPIC_BASE_URL;
    const closed = await freePort(); // nothing listens there
    e.ANTHROPIC_BASE_URL = `http://127.0.0.1:${closed}`;
    try {
      const r = await call(s, ask("GW-ok unreachable"));
      expect(r.status).toBe(502);
      expect((r.json() as { error: { type: string; message: string } }).error).toEqual({ type: "api_error", message: expect.stringContaining(`could not reach the model API at http://127.0.0.1:${closed}`) });
    } finally {
      e.ANTHROPIC_BASE_URL = was;
    }
    expect((await call(s, ask("GW-ok after"))).status).toBe(200);
  });
});
