// The agent loop in-process against the scripted model, through the worker's own Channel and SDK
// path (a socket gateway in front of the stub): every error the API throws at a real session and
// every stop reason. Waits between retries are recorded, not slept, so the tests are fast.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { MessageParam } from "@anthropic-ai/sdk/resources/messages";
import { afterEach, describe, expect, it } from "vitest";
import type { NewEvent } from "../../lib/events/schema";
import { startModelStub, type ModelStub } from "../../lib/modelstub/server";
import type { ScriptInput } from "../../lib/modelstub/script";
import type { WorkerConfig } from "../../lib/protocol/worker";
import { Channel } from "./channel";
import { cacheRequest } from "./context/cache";
import { SUMMARY_REQUEST_MARKER } from "./context/summary";
import { createClient } from "./model";
import type { AgentState } from "./state";
import { startModelGateway, type ModelGateway } from "./testing/model-gateway";
import { TOOLS, toolDefinitions } from "./tools";
import { runTurn, type ContextSeam, type CondenseContext } from "./turn";
import { testConfig } from "./testing/config";
import { staticPermissions } from "./permissions/host";

const uid = process.getuid?.() ?? 1000;
const baseConfig: WorkerConfig = testConfig({ sessionId: "s-turn", agentUid: uid, agentGid: process.getgid?.() ?? uid, shellTimeoutS: 30, maxOutputTokens: 8000 });

type Run = { reason: string | undefined; events: NewEvent[]; waits: number[]; state: AgentState; stub: ModelStub; forced: boolean[] };
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** Runs one turn for `task` against `scripts`; `during` runs once the first text arrives. */
async function turn(
  scripts: ScriptInput[],
  task: string,
  opts: { config?: Partial<WorkerConfig>; stubWindow?: number; condense?: ContextSeam["condense"]; during?: (gw: ModelGateway) => Promise<void> } = {},
): Promise<Run> {
  const stub = await startModelStub({ scripts, ...(opts.stubWindow ? { contextTokens: opts.stubWindow } : {}) });
  const gateway = await startModelGateway(stub.url);
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-turn-"));
  cleanup.push(() => stub.close(), () => gateway.close(), () => fs.rmSync(workspace, { recursive: true, force: true }));
  const config = { ...baseConfig, ...opts.config };
  const events: NewEvent[] = [];
  const waits: number[] = [];
  const forced: boolean[] = [];
  let during: Promise<void> | undefined;
  const emit = (e: NewEvent) => {
    events.push(e);
    if (e.type === "assistant.text" && opts.during && !during) during = opts.during(gateway);
  };
  const state: AgentState = {
    version: 3,
    messages: [{ role: "user", content: [{ type: "text", text: task }] }],
    lastCommandSeq: 1,
    turns: 0,
    turn: { request: task, commands: [], steps: 0, finalText: "" },
    delivered: null,
    ops: [],
    system: "You are a test agent.",
    started: [],
    setupDone: true,
    awaiting: null,
  };
  const signal = new AbortController().signal;
  const condense: ContextSeam["condense"] = async (ctx, o) => {
    forced.push(Boolean(o?.force));
    if (opts.condense) await opts.condense(ctx, o);
  };
  const reason = await runTurn({
    config,
    state,
    system: state.system!,
    tools: TOOLS,
    toolDefs: toolDefinitions(TOOLS),
    client: createClient(new Channel(gateway.socketPath)),
    context: { condense, cacheRequest },
    signal,
    emit,
    save: () => undefined,
    takeMessages: async () => 0,
    toolContext: () => ({ workspace, config, signal, emit, drained: async () => undefined, pendingBytes: () => 0, permissions: staticPermissions() }),
    retry: { maxAttempts: 4, baseMs: 1000, maxBackoffMs: 30_000, maxWaitMs: 120_000 },
    sleep: async (ms) => void waits.push(ms),
  });
  await during;
  return { reason, events, waits, state, stub, forced: forced.filter(Boolean) };
}

const of = <T extends NewEvent["type"]>(events: NewEvent[], type: T) => events.flatMap((e) => (e.type === type ? [e as Extract<NewEvent, { type: T }>] : []));
const texts = (m: MessageParam | undefined) => (m && typeof m.content !== "string" ? m.content.flatMap((b) => (b.type === "text" ? [b.text] : [])) : []);
const last = (run: Run) => run.state.messages[run.state.messages.length - 1];
const body = (run: Run, i: number) => run.stub.requests[i].body as { max_tokens: number; messages: MessageParam[]; thinking?: unknown };
const done = { blocks: [{ type: "text" as const, text: "All done." }] };

describe("the agent loop, when the API has a bad moment", () => {
  it("waits as a 429's retry-after says, shows the wait, and carries on", async () => {
    const run = await turn([{ match: "RATE", steps: [{ ...done, error: { status: 429, type: "rate_limit_error", message: "slow down", retryAfterS: 7 }, failTimes: 1 }] }], "RATE");
    expect(run.reason).toBeUndefined();
    expect(run.waits).toEqual([7000]);
    expect(of(run.events, "model.retry")[0].data).toMatchObject({ attempt: 1, waitMs: 7000, status: 429, reason: "rate limited (429), retrying in 7 s" });
    expect(texts(last(run))).toEqual(["All done."]);
  });

  it("retries an overloaded API (529) and a 500 with backoff", async () => {
    const run = await turn(
      [
        { match: "OVER", steps: [{ ...done, error: { status: 529, type: "overloaded_error", message: "Overloaded" }, failTimes: 2 }] },
        { match: "FIVE", steps: [{ ...done, error: { status: 500, type: "api_error", message: "Internal server error" }, failTimes: 1 }] },
      ],
      "OVER",
    );
    expect(run.reason).toBeUndefined();
    const retries = of(run.events, "model.retry").map((e) => e.data.reason);
    expect(retries).toEqual([expect.stringMatching(/^model overloaded \(529\), retrying in \d/), expect.stringMatching(/^model overloaded \(529\), retrying in \d/)]);
    expect(run.waits[1]).toBeGreaterThan(run.waits[0]);
    const five = await turn([{ match: "FIVE", steps: [{ ...done, error: { status: 500, type: "api_error", message: "Internal server error" }, failTimes: 1 }] }], "FIVE");
    expect(five.reason).toBeUndefined();
    expect(of(five.events, "model.retry")[0].data.reason).toMatch(/^model API error \(500\), retrying in/);
  });

  it("retries an overloaded error in the middle of a stream, keeping only the whole answer", async () => {
    const text = "The answer is forty-two, said the model at length.";
    const run = await turn([{ match: "MID", steps: [{ blocks: [{ type: "text", text }], midStream: { kind: "error", afterChars: 10 }, failTimes: 1 }] }], "MID");
    expect(run.reason).toBeUndefined();
    expect(of(run.events, "model.retry")[0].data.reason).toMatch(/model overloaded \(stream error\), retrying in .*discarded and starts over/);
    expect(texts(last(run))).toEqual([text]);
    // The cut attempt and the retry stream to different blocks, so the transcript never splices them.
    const blocks = new Set(of(run.events, "assistant.text").map((e) => e.data.block));
    expect(blocks.size).toBe(2);
  });

  it("retries a connection dropped mid-answer", async () => {
    const run = await turn([{ match: "DROP", steps: [{ ...done, midStream: { kind: "disconnect", afterChars: 3 }, failTimes: 1 }] }], "DROP");
    expect(run.reason).toBeUndefined();
    expect(of(run.events, "model.retry")[0].data.reason).toMatch(/connection to the model gateway was lost/);
    expect(texts(last(run))).toEqual(["All done."]);
  });

  it("carries on when the host restarts during a model stream", async () => {
    const text = "word ".repeat(30);
    const run = await turn([{ match: "RESTART", steps: [{ blocks: [{ type: "text", text, chunkSize: 5, chunkDelayMs: 30 }] }] }], "RESTART", {
      during: (gw) => gw.restart(300),
    });
    expect(run.reason).toBeUndefined();
    expect(of(run.events, "model.retry").length).toBeGreaterThan(0);
    expect(texts(last(run))).toEqual([text]);
  });

  it("gives up after the attempts with a reason a person can act on, not a stack", async () => {
    const run = await turn([{ match: "DOWN", steps: [{ error: { status: 529, type: "overloaded_error", message: "Overloaded" } }] }], "DOWN");
    expect(run.stub.requests).toHaveLength(4);
    expect(run.reason).toBe("model overloaded (529): Overloaded (gave up after 4 attempts); send a message to try again");
    expect(of(run.events, "error")[0].data).toMatchObject({ source: "model", message: expect.stringContaining("gave up after 4 attempts") });
  });

  it("does not retry a refusal by the gateway and shows its message as the reason", async () => {
    const message = "budget reached: $2.01 of $2.00";
    const run = await turn([{ match: "BUDGET", steps: [{ error: { status: 402, type: "budget_exceeded", message } }] }], "BUDGET");
    expect(run.stub.requests).toHaveLength(1);
    expect(run.reason).toBe(message);
    expect(of(run.events, "model.retry")).toHaveLength(0);
  });
});

describe("the agent loop, for each stop reason", () => {
  it("continues an answer cut by max_tokens", async () => {
    const run = await turn([{ match: "LONG", steps: [{ blocks: [{ type: "text", text: "Hello wor" }], stopReason: "max_tokens" }, { blocks: [{ type: "text", text: "ld, all done." }] }] }], "LONG");
    expect(run.reason).toBeUndefined();
    expect(body(run, 1).messages.at(-1)).toMatchObject({ role: "assistant", content: [{ type: "text", text: "Hello wor" }] });
    expect(run.state.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(texts(last(run))).toEqual(["Hello world, all done."]);
  });

  it("never runs a tool call cut by max_tokens: asks again with a larger limit, up to the model's maximum", async () => {
    const marker = path.join(os.tmpdir(), `dockside-cut-${process.pid}`);
    const step = { blocks: [{ type: "tool_use" as const, name: "shell", input: { command: `touch ${marker}` } }], stopReason: "max_tokens" as const };
    const run = await turn([{ match: "CUT", steps: [step] }], "CUT");
    expect(of(run.events, "tool.call")).toHaveLength(0);
    expect(fs.existsSync(marker)).toBe(false);
    expect(run.stub.requests.map((_, i) => body(run, i).max_tokens)).toEqual([2000, 4000, 8000]);
    expect(of(run.events, "model.retry")[0].data.reason).toMatch(/limit of 2000 tokens in the middle of a tool call; asking again with 4000/);
    expect(run.reason).toMatch(/did not fit in the model's output limit \(8000 tokens\)/);
  });

  it("resumes a paused turn (pause_turn) by sending the answer back", async () => {
    const run = await turn([{ match: "PAUSE", steps: [{ blocks: [{ type: "text", text: "Part one." }], stopReason: "pause_turn" }, { blocks: [{ type: "text", text: " Part two." }] }] }], "PAUSE");
    expect(run.reason).toBeUndefined();
    expect(body(run, 1).messages.at(-1)?.role).toBe("assistant");
    expect(texts(last(run))).toEqual(["Part one. Part two."]);
  });

  it("ends the turn on a refusal and says so, keeping the refused answer out of the conversation", async () => {
    const run = await turn([{ match: "NOPE", steps: [{ blocks: [{ type: "text", text: "I can't" }], stopReason: "refusal" }] }], "NOPE");
    expect(run.reason).toMatch(/refused this request \(stop reason: refusal\)/);
    expect(of(run.events, "error")[0].data).toMatchObject({ source: "model", message: expect.stringMatching(/declined .*refusal/) });
    expect(run.state.messages.map((m) => m.role)).toEqual(["user"]);
  });

  it("compacts (forced) and asks again when the context window is exceeded", async () => {
    const run = await turn(
      [
        { match: "FULL", steps: [{ blocks: [{ type: "text", text: "cut" }], stopReason: "model_context_window_exceeded" }] },
        { match: "SUMMARIZED", steps: [done] },
      ],
      "FULL",
      { condense: summarizeInto("SUMMARIZED") },
    );
    expect(run.reason).toBeUndefined();
    expect(run.forced).toEqual([true]);
    expect(texts(last(run))).toEqual(["All done."]);
  });

  it("compacts (forced) and asks again when the API answers prompt is too long", async () => {
    const run = await turn([{ match: "SUMMARIZED", steps: [done] }], `BIG ${"x".repeat(40_000)}`, {
      stubWindow: 5000,
      config: { maxTokens: 500 },
      condense: summarizeInto("SUMMARIZED"),
    });
    expect(run.stub.requests[0].status).toBe(400);
    expect(run.forced).toEqual([true]);
    expect(run.reason).toBeUndefined();
    expect(texts(run.state.messages[0])[0]).toMatch(/^SUMMARIZED: /);
    expect(texts(last(run))).toEqual(["All done."]);
  });

  it("asks for extended thinking when the session has a budget, with max_tokens above it", async () => {
    const run = await turn([{ match: "THINK", steps: [done] }], "THINK", { config: { thinkingBudget: 4000 } });
    expect(body(run, 0).thinking).toEqual({ type: "enabled", budget_tokens: 4000 });
    expect(body(run, 0).max_tokens).toBeGreaterThan(4000);
  });
});

/** A compaction stand-in: on force, replaces the conversation with a summary made by a real model call. */
function summarizeInto(tag: string): ContextSeam["condense"] {
  return async (ctx: CondenseContext, opts) => {
    if (!opts?.force) return;
    const summary = await ctx.summarize({ system: ctx.system, messages: [{ role: "user", content: `${SUMMARY_REQUEST_MARKER} the task` }], maxTokens: 500 });
    ctx.messages.splice(0, ctx.messages.length, { role: "user", content: [{ type: "text", text: `${tag}: ${summary.slice(0, 200)}` }] });
  };
}
