import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ContentBlockParam, MessageParam, Tool } from "@anthropic-ai/sdk/resources/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NewEvent } from "../../../lib/events/schema";
import { CLEARED_PREFIX } from "./clear";
import { condense, type CondenseContext } from "./condense";
import { SUMMARY_HEADER, SUMMARY_REQUEST_MARKER } from "./summary";
import { pairingProblems, testConfig } from "./testing";
import { estimateRequest, promptBudget } from "./tokens";

let outputs: string;
beforeAll(() => {
  outputs = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-condense-"));
  process.env.DOCKSIDE_OUTPUT_DIR = path.join(outputs, "out");
});
afterAll(() => {
  delete process.env.DOCKSIDE_OUTPUT_DIR;
  fs.rmSync(outputs, { recursive: true, force: true });
});

const tools: Tool[] = [{ name: "shell", description: "Run a command.", input_schema: { type: "object" } }];
const big = (i: number) => `line of output ${i} `.repeat(250); // ~5 KB, ~1.2K tokens

type Summarize = CondenseContext["summarize"];
function context(messages: MessageParam[], summarize?: Summarize, config = testConfig()) {
  const events: NewEvent[] = [];
  const requests: Parameters<Summarize>[0][] = [];
  const ctx: CondenseContext = {
    messages,
    system: "You are a software engineering agent.",
    tools,
    config,
    emit: (e) => events.push(e),
    summarize:
      summarize ??
      (async (req) => {
        requests.push(req);
        return "Task: fix the build. The person's messages: 'Fix the build'. Current state: step under way.";
      }),
  };
  return { ctx, events, requests };
}

function step(messages: MessageParam[], i: number, output = big(i)) {
  messages.push({ role: "assistant", content: [{ type: "text", text: `Step ${i}.` }, { type: "tool_use", id: `call_${i}`, name: "shell", input: { command: `make step-${i}` } }] });
  messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: `call_${i}`, content: output }] });
}

const size = (ctx: CondenseContext) => estimateRequest({ system: ctx.system, tools: ctx.tools, messages: ctx.messages });
const compactions = (events: NewEvent[]) => events.flatMap((e) => (e.type === "compaction" ? [e.data] : []));

describe("condense", () => {
  it("leaves a conversation that fits alone", async () => {
    const messages: MessageParam[] = [{ role: "user", content: "Fix the build" }];
    step(messages, 1);
    const before = JSON.stringify(messages);
    const { ctx, events } = context(messages);
    await condense(ctx);
    expect(JSON.stringify(messages)).toBe(before);
    expect(events).toEqual([]);
  });

  it("first clears old tool results in one batch, keeps the recent ones, and says where the output is", async () => {
    const messages: MessageParam[] = [{ role: "user", content: "Fix the build" }];
    const { ctx, events, requests } = context(messages);
    let i = 0;
    while (size(ctx) <= promptBudget(ctx.config)) step(messages, ++i);
    await condense(ctx);
    const [event] = compactions(events);
    expect(event).toMatchObject({ strategy: "clear_tool_results" });
    expect(event.cleared).toBeGreaterThan(1);
    expect(event.tokensAfter).toBeLessThan(event.tokensBefore);
    expect(requests).toEqual([]);
    const results = messages.flatMap((m) => (typeof m.content === "string" ? [] : m.content.filter((b) => b.type === "tool_result")));
    const first = results[0] as { content: string };
    expect(first.content.startsWith(CLEARED_PREFIX)).toBe(true);
    expect(first.content).toMatch(/session transcript/);
    const file = /in (\/\S+\.txt)/.exec(first.content)?.[1];
    expect(file && fs.readFileSync(file, "utf8")).toBe(big(1));
    expect(fs.statSync(file!).mode & 0o777).toBe(0o644);
    expect((results.at(-1) as { content: string }).content).toBe(big(i));
    expect(pairingProblems(messages)).toEqual([]);
  });

  it("summarizes when clearing is not enough, keeping the latest exchange and pairs valid", async () => {
    const messages: MessageParam[] = [{ role: "user", content: "Fix the build" }];
    const { ctx, events, requests } = context(messages);
    // Long tool inputs that clearing cannot touch.
    for (let i = 1; size(ctx) <= promptBudget(ctx.config); i++) {
      messages.push({ role: "assistant", content: [{ type: "tool_use", id: `w${i}`, name: "todo_write", input: { items: [{ content: `item ${i} `.repeat(200), status: "pending" }] } }] });
      messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: `w${i}`, content: "ok" }] });
    }
    await condense(ctx);
    expect(requests).toHaveLength(1);
    const req = requests[0];
    expect(JSON.stringify(req.messages)).toContain(SUMMARY_REQUEST_MARKER);
    expect(JSON.stringify(req.messages)).toContain("Fix the build");
    expect(estimateRequest({ system: req.system, tools: [], messages: req.messages }) + req.maxTokens).toBeLessThan(ctx.config.contextTokens);
    const summary = compactions(events).find((e) => e.strategy === "summary");
    expect(summary?.summary).toMatch(/fix the build/);
    expect(summary!.tokensAfter).toBeLessThan(summary!.tokensBefore);
    const first = messages[0].content as { type: string; text: string }[];
    expect(first[0].text.startsWith(SUMMARY_HEADER)).toBe(true);
    expect(first[0].text).toMatch(/<todo-list>\n\[ \] item/);
    expect(messages.at(-1)?.role).toBe("user");
    expect(pairingProblems(messages)).toEqual([]);
    expect(size(ctx)).toBeLessThanOrEqual(promptBudget(ctx.config));
  });

  it("with force, summarizes even under the budget (the API said the prompt is too long)", async () => {
    const messages: MessageParam[] = [{ role: "user", content: "Fix the build" }];
    for (let i = 1; i <= 3; i++) step(messages, i, "short output");
    const { ctx, events, requests } = context(messages);
    await condense(ctx, { force: true });
    expect(requests).toHaveLength(1);
    expect(compactions(events).map((e) => e.strategy)).toEqual(["summary"]);
    expect(messages).toHaveLength(3);
    expect(messages[1]).toMatchObject({ role: "assistant" });
    expect(pairingProblems(messages)).toEqual([]);
  });

  it("carries the person's unanswered message over when the latest exchange does not fit", async () => {
    const messages: MessageParam[] = [{ role: "user", content: "Fix the build" }];
    for (let i = 1; i <= 6; i++) step(messages, i, big(i).repeat(3));
    (messages.at(-1)!.content as ContentBlockParam[]).push({ type: "text", text: "Also update the README, please." });
    const { ctx } = context(messages, undefined, testConfig({ contextTokens: 12_000 }));
    await condense(ctx, { force: true });
    expect(messages).toHaveLength(1);
    expect(JSON.stringify(messages[0])).toContain("Also update the README, please.");
    expect(pairingProblems(messages)).toEqual([]);
  });

  it("keeps thinking blocks with their turn", async () => {
    const messages: MessageParam[] = [{ role: "user", content: "Fix the build" }];
    for (let i = 1; i <= 30; i++) {
      messages.push({ role: "assistant", content: [{ type: "thinking", thinking: `think ${i}`, signature: `sig${i}` }, { type: "tool_use", id: `c${i}`, name: "shell", input: { command: "x".repeat(3000) } }] });
      messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: `c${i}`, content: "done" }] });
    }
    const { ctx } = context(messages);
    await condense(ctx);
    expect(pairingProblems(messages)).toEqual([]);
    expect(messages[1]).toMatchObject({ role: "assistant", content: [{ type: "thinking", thinking: "think 30", signature: "sig30" }, { type: "tool_use", id: "c30" }] });
  });

  it("keeps a 300-step session with large outputs under a small window, clearing in batches", async () => {
    const config = testConfig({ contextTokens: 16_000, maxTokens: 4000 });
    const messages: MessageParam[] = [{ role: "user", content: "Run the migration, step by step" }];
    let calls = 0;
    const { ctx, events } = context(messages, async (req) => {
      calls++;
      expect(estimateRequest({ system: req.system, tools: [], messages: req.messages }) + req.maxTokens).toBeLessThan(config.contextTokens);
      return `Task: Run the migration, step by step. Progress: summary ${calls}.`;
    }, config);
    let peak = 0;
    for (let i = 1; i <= 300; i++) {
      step(messages, i, i % 7 === 0 ? "ok" : big(i).repeat(1 + (i % 3)));
      if (i % 50 === 0) (messages.at(-1)!.content as ContentBlockParam[]).push({ type: "text", text: `Follow-up ${i}` });
      await condense(ctx);
      peak = Math.max(peak, size(ctx));
      expect(size(ctx) + Math.min(config.maxTokens, config.contextTokens / 4)).toBeLessThan(config.contextTokens);
      expect(pairingProblems(messages)).toEqual([]);
    }
    const all = compactions(events);
    expect(all.some((e) => e.strategy === "summary")).toBe(true);
    // Batches: one compaction every few steps at worst (outputs of 1-4K tokens in a 16K window), not one a step.
    expect(all.length).toBeLessThan(120);
    expect(peak).toBeLessThan(config.contextTokens);
  });
});
