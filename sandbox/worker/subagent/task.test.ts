// The `task` tool in-process: the session's loop (turn.ts) against the scripted model through the
// worker's own Channel and SDK path, with real subagents running real tools in a temporary workspace.
// The stand-in tells the subagent's requests apart by their first user message (the task's prompt).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { MessageParam } from "@anthropic-ai/sdk/resources/messages";
import { afterEach, describe, expect, it } from "vitest";
import type { NewEvent } from "../../../lib/events/schema";
import { startModelStub, type ModelStub } from "../../../lib/modelstub/server";
import type { ScriptInput } from "../../../lib/modelstub/script";
import type { WorkerPermissions } from "../../../lib/protocol/permissions";
import { Channel } from "../channel";
import { Interrupted } from "../errors";
import { cacheRequest } from "../context/cache";
import { createClient } from "../model";
import { staticPermissions } from "../permissions/host";
import type { AgentState } from "../state";
import { testConfig } from "../testing/config";
import { startModelGateway } from "../testing/model-gateway";
import { TOOLS, toolDefinitions } from "../tools";
import type { Tool } from "../tools/tool";
import { runTurn } from "../turn";
import { TASK_TOOL, taskTool } from "./task";

const uid = process.getuid?.() ?? 1000;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

type Run = { reason: string | undefined; events: NewEvent[]; stub: ModelStub; state: AgentState; workspace: string };

/** One turn of a session whose tools include `task`, for `task` against `scripts`. */
async function turn(
  scripts: ScriptInput[],
  task: string,
  opts: { maxTurns?: number; limit?: number; perms?: Partial<WorkerPermissions>; files?: Record<string, string>; abort?: AbortController; onEvent?: (e: NewEvent) => void } = {},
): Promise<Run> {
  const stub = await startModelStub({ scripts });
  const gateway = await startModelGateway(stub.url);
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-task-"));
  cleanup.push(() => stub.close(), () => gateway.close(), () => fs.rmSync(workspace, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(opts.files ?? {})) fs.writeFileSync(path.join(workspace, name), text);
  const config = testConfig({ sessionId: "s-task", agentUid: uid, agentGid: process.getgid?.() ?? uid, shellTimeoutS: 30, maxTurns: opts.maxTurns ?? 10 });
  const events: NewEvent[] = [];
  const emit = (e: NewEvent) => {
    events.push(e);
    opts.onEvent?.(e);
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
  const client = createClient(new Channel(gateway.socketPath));
  const context = { condense: async () => undefined, cacheRequest };
  const sleep = async () => undefined;
  const retry = { maxAttempts: 3, baseMs: 1000, maxBackoffMs: 30_000, maxWaitMs: 120_000 };
  const tools: Tool[] = [...TOOLS];
  tools.push(taskTool({ client, system: () => state.system!, tools: () => tools, context, retry, sleep, limit: opts.limit }));
  const signal = (opts.abort ?? new AbortController()).signal;
  const reason = await runTurn({
    config,
    state,
    system: state.system!,
    tools,
    toolDefs: toolDefinitions(tools),
    client,
    context,
    signal,
    emit,
    save: () => undefined,
    takeMessages: async () => 0,
    toolContext: () => ({ workspace, config, signal, emit, drained: async () => undefined, pendingBytes: () => 0, permissions: staticPermissions(opts.perms) }),
    retry,
    sleep,
    concurrent: new Set([TASK_TOOL]),
  });
  return { reason, events, stub, state, workspace };
}

const of = <T extends NewEvent["type"]>(events: NewEvent[], type: T) => events.flatMap((e) => (e.type === type ? [e as Extract<NewEvent, { type: T }>] : []));
type Body = { system: unknown; tools?: { name: string }[]; messages: MessageParam[] };
const bodies = (run: Run) => run.stub.requests.map((r) => r.body as Body);
const firstText = (b: Body) => {
  const c = b.messages[0].content;
  return typeof c === "string" ? c : c.flatMap((p) => (p.type === "text" ? [p.text] : [])).join("");
};
/** The requests of the conversation whose first message contains `marker`. */
const requestsOf = (run: Run, marker: string) => bodies(run).filter((b) => firstText(b).includes(marker));
const toolNames = (b: Body) => (b.tools ?? []).map((t) => t.name).sort();
const toolResults = (m: MessageParam | undefined) => (m && typeof m.content !== "string" ? m.content.flatMap((b) => (b.type === "tool_result" ? [b] : [])) : []);
const task = (id: string, prompt: string, readOnly?: boolean) => ({ type: "tool_use" as const, id, name: "task", input: { description: `Look into ${id}`, prompt, ...(readOnly === undefined ? {} : { readOnly }) } });
const say = (text: string) => ({ blocks: [{ type: "text" as const, text }] });

describe("the task tool", () => {
  it("runs a subagent with its own context and hands only its report to the main agent", async () => {
    const run = await turn(
      [
        { match: "MAIN-A", steps: [{ blocks: [task("toolu_a", "SUB-A: what does notes.txt say?")] }, say("The subagent found it.")] },
        {
          match: "SUB-A",
          steps: [
            { blocks: [{ type: "tool_use", name: "glob", input: { pattern: "*.txt" } }] },
            { blocks: [{ type: "tool_use", name: "read_file", input: { path: "notes.txt" } }] },
            say("REPORT: notes.txt says the answer is 42."),
          ],
        },
      ],
      "MAIN-A: ask a subagent",
      { files: { "notes.txt": "the answer is 42\n" } },
    );
    expect(run.reason).toBeUndefined();
    // The subagent's conversation is its own: it starts from the prompt, not the caller's messages.
    const sub = requestsOf(run, "SUB-A");
    expect(sub).toHaveLength(3);
    expect(JSON.stringify(sub[0].messages)).not.toContain("MAIN-A");
    expect(JSON.stringify(sub[0].system)).toContain("You are a test agent.");
    expect(JSON.stringify(sub[0].system)).toContain("You are a subagent");
    // The main agent's next request carries the report, and only the report, as the task's result.
    const main = requestsOf(run, "MAIN-A");
    expect(main).toHaveLength(2);
    const [result] = toolResults(main[1].messages.at(-1));
    expect(result).toMatchObject({ tool_use_id: "toolu_a", content: "REPORT: notes.txt says the answer is 42." });
    expect(result.is_error).toBeUndefined();
    expect(JSON.stringify(main[1].messages)).not.toContain("the answer is 42\\n");
    const taskResult = of(run.events, "tool.result").find((e) => e.data.callId === "toolu_a")!;
    expect(taskResult.data.tokens).toBeGreaterThan(0);
    expect(taskResult.data.parent).toBeUndefined();
  });

  it("streams the subagent's steps into the transcript under the call's id", async () => {
    const run = await turn(
      [
        { match: "MAIN-B", steps: [{ blocks: [task("toolu_b", "SUB-B: count")] }, say("Done.")] },
        { match: "SUB-B", steps: [{ blocks: [{ type: "tool_use", name: "shell", input: { command: "echo nested-output" } }] }, say("REPORT: counted.")] },
      ],
      "MAIN-B",
    );
    const nested = run.events.filter((e) => "parent" in e.data && e.data.parent === "toolu_b");
    expect(nested.map((e) => e.type)).toEqual(expect.arrayContaining(["tool.call", "tool.output", "tool.result", "assistant.text"]));
    const shellCall = of(run.events, "tool.call").find((e) => e.data.name === "shell")!;
    expect(shellCall.data.parent).toBe("toolu_b");
    expect(of(run.events, "tool.output").find((e) => e.data.text.includes("nested-output"))?.data.parent).toBe("toolu_b");
    // The main agent's own steps carry no parent.
    expect(of(run.events, "tool.call").find((e) => e.data.name === "task")?.data.parent).toBeUndefined();
    expect(of(run.events, "assistant.text").filter((e) => e.data.text === "Done.").every((e) => e.data.parent === undefined)).toBe(true);
  });

  it("gives a read-only subagent only the reading tools, and no subagent a task tool", async () => {
    const run = await turn(
      [
        { match: "MAIN-C", steps: [{ blocks: [task("toolu_ro", "SUB-RO: explore", true), task("toolu_rw", "SUB-RW: change")] }, say("ok")] },
        { match: "SUB-RO", steps: [say("REPORT: read.")] },
        { match: "SUB-RW", steps: [say("REPORT: wrote.")] },
      ],
      "MAIN-C",
    );
    const [ro] = requestsOf(run, "SUB-RO");
    expect(toolNames(ro)).toEqual(["glob", "grep", "read_file", "recall", "remember"]);
    const [rw] = requestsOf(run, "SUB-RW");
    expect(toolNames(rw)).toContain("shell");
    expect(toolNames(rw)).toContain("write_file");
    expect(toolNames(rw)).not.toContain("task");
    expect(toolNames(requestsOf(run, "MAIN-C")[0])).toContain("task");
  });

  it("keeps the session's permission rules for the subagent's calls", async () => {
    const marker = path.join(os.tmpdir(), `dockside-sub-denied-${process.pid}`);
    const run = await turn(
      [
        { match: "MAIN-D", steps: [{ blocks: [task("toolu_d", "SUB-D: touch it")] }, say("ok")] },
        { match: "SUB-D", steps: [{ blocks: [{ type: "tool_use", name: "shell", input: { command: `touch ${marker}` } }] }, say("REPORT: it was refused.")] },
      ],
      "MAIN-D",
      { perms: { rules: { allow: [], ask: [], deny: ["shell"] } } },
    );
    expect(fs.existsSync(marker)).toBe(false);
    const denied = of(run.events, "tool.result").find((e) => e.data.parent === "toolu_d")!;
    expect(denied.data).toMatchObject({ isError: true, output: expect.stringMatching(/^Denied: matches deny rule shell/) });
  });

  it("runs several subagents of one answer at once, up to the limit", async () => {
    const scripts = (m: string): ScriptInput[] => [
      { match: m, steps: [{ blocks: [task("toolu_1", "SUB-1: one"), task("toolu_2", "SUB-2: two"), task("toolu_3", "SUB-3: three")] }, say("all reported")] },
      ...[1, 2, 3].map((n) => ({ match: `SUB-${n}`, steps: [{ blocks: [{ type: "tool_use" as const, name: "glob", input: { pattern: "*" } }], delayMs: 300 }, say(`REPORT ${n}`)] })),
    ];
    // Concurrent: every subagent's first request comes before any subagent's second.
    const together = await turn(scripts("MAIN-E"), "MAIN-E");
    const order = (run: Run) => bodies(run).filter((b) => firstText(b).startsWith("SUB-")).map((b) => `${firstText(b).slice(0, 5)}#${b.messages.length}`);
    expect(order(together).slice(0, 3).every((s) => s.endsWith("#1"))).toBe(true);
    const results = toolResults(requestsOf(together, "MAIN-E")[1].messages.at(-1));
    expect(results.map((r) => [r.tool_use_id, r.content])).toEqual([["toolu_1", "REPORT 1"], ["toolu_2", "REPORT 2"], ["toolu_3", "REPORT 3"]]);
    // Limit 1: the others wait their turn, one subagent after another.
    const queued = await turn(scripts("MAIN-F"), "MAIN-F", { limit: 1 });
    expect(order(queued)).toEqual(["SUB-1#1", "SUB-1#3", "SUB-2#1", "SUB-2#3", "SUB-3#1", "SUB-3#3"]);
  });

  it("turns a failing subagent into an error result and the session carries on", async () => {
    const run = await turn(
      [
        { match: "MAIN-G", steps: [{ blocks: [task("toolu_g", "SUB-G: fail")] }, say("It failed; I will do it myself.")] },
        { match: "SUB-G", steps: [{ error: { status: 500, type: "api_error", message: "Internal server error" } }] },
      ],
      "MAIN-G",
    );
    expect(run.reason).toBeUndefined();
    const [result] = toolResults(requestsOf(run, "MAIN-G")[1].messages.at(-1));
    expect(result).toMatchObject({ tool_use_id: "toolu_g", is_error: true, content: expect.stringMatching(/^The subagent stopped before finishing: model API error \(500\).*gave up after 3 attempts/) });
    expect(of(run.events, "error").find((e) => e.data.source === "model")?.data.parent).toBe("toolu_g");
    expect(of(run.events, "model.retry").every((e) => e.data.parent === "toolu_g")).toBe(true);
    expect(run.state.turn?.finalText).toBe("It failed; I will do it myself.");
  });

  it("stops a subagent at its own step limit with an error result", async () => {
    const run = await turn(
      [
        { match: "MAIN-H", steps: [{ blocks: [task("toolu_h", "SUB-H: loop")] }, say("ok")] },
        { match: "SUB-H", generate: { calls: 50, tool: "glob", commands: ["*"] } },
      ],
      "MAIN-H",
      { maxTurns: 3 },
    );
    const [result] = toolResults(requestsOf(run, "MAIN-H")[1].messages.at(-1));
    expect(result).toMatchObject({ is_error: true, content: expect.stringMatching(/stopped after 3 model calls/) });
    expect(requestsOf(run, "SUB-H")).toHaveLength(3);
  });

  it("stops the subagents when the session is interrupted", async () => {
    const abort = new AbortController();
    const scripts: ScriptInput[] = [
      { match: "MAIN-I", steps: [{ blocks: [task("toolu_i", "SUB-I: wait")] }, say("never")] },
      { match: "SUB-I", steps: [{ blocks: [{ type: "tool_use", name: "shell", input: { command: "echo started; sleep 30" } }] }, say("REPORT: never")] },
    ];
    // Interrupted once the subagent's command has started (its output reached the transcript).
    const onEvent = (e: NewEvent) => {
      if (e.type === "tool.output" && e.data.parent === "toolu_i") abort.abort(new Interrupted("stop requested"));
    };
    const outcome = await turn(scripts, "MAIN-I", { abort, onEvent }).catch((err: unknown) => err);
    expect(outcome).toBeInstanceOf(Interrupted);
  });
});
