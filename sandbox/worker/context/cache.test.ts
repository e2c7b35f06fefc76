import type { MessageParam, Tool } from "@anthropic-ai/sdk/resources/messages";
import { describe, expect, it } from "vitest";
import { cacheRequest } from "./cache";

const tools: Tool[] = [
  { name: "shell", description: "run", input_schema: { type: "object" } },
  { name: "grep", description: "find", input_schema: { type: "object" } },
];

function conversation(steps: number): MessageParam[] {
  const messages: MessageParam[] = [{ role: "user", content: "Fix the tests" }];
  for (let i = 1; i <= steps; i++) {
    messages.push({ role: "assistant", content: [{ type: "thinking", thinking: "hm", signature: "sig" }, { type: "text", text: `step ${i}` }, { type: "tool_use", id: `t${i}`, name: "shell", input: { command: "ls" } }] });
    messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: `t${i}`, content: `out ${i}` }] });
  }
  return messages;
}

const breakpoints = (value: unknown) => JSON.stringify(value).split('"cache_control"').length - 1;
const marked = (m: MessageParam) => typeof m.content !== "string" && m.content.some((b) => "cache_control" in b && b.cache_control);

describe("cacheRequest", () => {
  it("caches tools + system as one prefix, and the newest and previous user messages", () => {
    const messages = conversation(3);
    const req = cacheRequest({ system: "You are an agent.", tools, messages });
    expect(req.system).toEqual([{ type: "text", text: "You are an agent.", cache_control: { type: "ephemeral" } }]);
    expect(breakpoints(req.tools)).toBe(0);
    expect(req.messages.map(marked)).toEqual([false, false, false, false, true, false, true]);
    const last = req.messages[6].content as { cache_control?: unknown }[];
    expect(last.at(-1)?.cache_control).toEqual({ type: "ephemeral" });
    expect(breakpoints(req)).toBeLessThanOrEqual(4);
  });

  it("marks where the previous step wrote, so the next step reads it back", () => {
    const messages = conversation(2);
    const first = cacheRequest({ system: "s", tools, messages });
    messages.push(...conversation(3).slice(5));
    const second = cacheRequest({ system: "s", tools, messages });
    // The block marked last in the first request is marked again in the second.
    expect(JSON.stringify(second.messages[4])).toBe(JSON.stringify(first.messages[4]));
  });

  it("never changes the stored conversation, however many steps", () => {
    const messages = conversation(3);
    const before = JSON.stringify(messages);
    for (let i = 0; i < 5; i++) cacheRequest({ system: "s", tools, messages });
    expect(JSON.stringify(messages)).toBe(before);
    expect(breakpoints(messages)).toBe(0);
  });

  it("skips thinking blocks and turns string content into a marked block", () => {
    const messages: MessageParam[] = [
      { role: "user", content: "hello" },
      { role: "assistant", content: [{ type: "text", text: "answer" }, { type: "thinking", thinking: "x", signature: "y" }] },
    ];
    const req = cacheRequest({ system: "s", tools, messages });
    expect(req.messages[0].content).toEqual([{ type: "text", text: "hello", cache_control: { type: "ephemeral" } }]);
    const blocks = req.messages[1].content as { type: string; cache_control?: unknown }[];
    expect(blocks[0].cache_control).toBeDefined();
    expect(blocks[1].cache_control).toBeUndefined();
  });

  it("puts the prefix breakpoint on the last tool when there is no system prompt", () => {
    const req = cacheRequest({ system: "", tools, messages: conversation(1) });
    expect(req.system).toEqual([]);
    expect(req.tools[1]).toHaveProperty("cache_control");
    expect(tools[1]).not.toHaveProperty("cache_control");
  });
});
