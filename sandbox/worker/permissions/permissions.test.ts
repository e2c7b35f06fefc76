// Permissions enforced by the worker, in-process, through the real runner and Channel against the
// fake host (GET /worker/permissions, approvals decided by the test), with real bash for the tools
// and the hooks: denied calls never run, asked calls wait for the person, plan mode, hooks.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { MessageParam } from "@anthropic-ai/sdk/resources/messages";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NewEvent } from "../../../lib/events/schema";
import { startModelStub } from "../../../lib/modelstub/server";
import type { ScriptInput } from "../../../lib/modelstub/script";
import { EMPTY_HOOKS, EMPTY_RULES, type Hooks, type WorkerPermissions } from "../../../lib/protocol/permissions";
import type { WorkerConfig } from "../../../lib/protocol/worker";
import { Channel } from "../channel";
import { cacheRequest } from "../context/cache";
import { createClient } from "../model";
import type { AgentState } from "../state";
import { testConfig } from "../testing/config";
import { DEFAULT_PERMISSIONS, startFakeHost, type FakeHost } from "../testing/fake-host";
import { startModelGateway } from "../testing/model-gateway";
import { TOOLS, toolDefinitions } from "../tools";
import { runTool, type RunContext } from "../tools/run-tool";
import { runTurn } from "../turn";
import { channelPermissions, staticPermissions } from "./host";

const config: WorkerConfig = testConfig({ sessionId: "s-perm", agentUid: process.getuid!(), agentGid: process.getgid!(), shellTimeoutS: 30, agentEnv: { API_TOKEN: "tok-sekrit-123" } });

let dir: string;
let workspace: string;
let host: FakeHost;
let events: NewEvent[];
let n = 0;
const cleanup: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-perm-"));
  workspace = path.join(dir, "workspace");
  fs.mkdirSync(workspace);
  host = await startFakeHost({ dir, config, modelUrl: "http://127.0.0.1:9" });
  events = [];
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await host.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const perms = (p: Partial<Omit<WorkerPermissions, "hooks">> & { hooks?: Partial<Hooks> }): WorkerPermissions => ({
  ...DEFAULT_PERMISSIONS,
  ...p,
  rules: { ...EMPTY_RULES, ...p.rules },
  hooks: { ...EMPTY_HOOKS, ...p.hooks },
});
const hook = (command: string, more: { tools?: string[]; timeoutS?: number } = {}) => ({ command, timeoutS: 10, ...more });

function context(signal = new AbortController().signal, awaited: (string | null)[] = []): RunContext {
  return {
    workspace,
    config,
    signal,
    emit: (e) => void events.push(e),
    drained: async () => {},
    pendingBytes: () => 0,
    permissions: channelPermissions(new Channel(host.socketPath), 1000),
    awaiting: (id) => void awaited.push(id),
  };
}
const call = (name: string, input: unknown, ctx = context(), id = `call-${++n}`) => runTool(TOOLS, { id, name, input }, ctx);
const exists = (f: string) => fs.existsSync(path.join(workspace, f));
const hookEvents = () => events.flatMap((e) => (e.type === "hook" ? [e.data] : []));

async function approvalFor(callId: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const a = host.approvals.find((x) => x.request.callId === callId);
    if (a) return a;
    if (Date.now() > deadline) throw new Error(`no approval for ${callId}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("rules", () => {
  it("a deny rule stops the call before it runs: the model reads why", async () => {
    host.setPermissions(perms({ rules: { ...EMPTY_RULES, deny: ["shell(touch *)"] } }));
    const res = await call("shell", { command: "touch made.txt" });
    expect(res).toMatchObject({ is_error: true, content: "Denied: matches deny rule shell(touch *)" });
    expect(exists("made.txt")).toBe(false);
    expect(events.map((e) => e.type)).toEqual(["tool.call", "tool.result"]);
    // A chain is caught part by part.
    const chained = await call("shell", { command: "true && touch made.txt" });
    expect(chained.content).toBe("Denied: matches deny rule shell(touch *)");
    expect(exists("made.txt")).toBe(false);
    // Anything else runs.
    expect((await call("shell", { command: "echo fine" })).content).toContain("fine");
  });

  it("a host that cannot be asked means denied, never allowed", async () => {
    host.setPermissions(null); // 404
    const res = await call("write_file", { path: "a.txt", content: "x" });
    expect(res).toMatchObject({ is_error: true, content: "Denied: the host could not be asked for permission; try again later." });
    expect(exists("a.txt")).toBe(false);
  });

  it("a change of permissions applies to the next call", async () => {
    host.setPermissions(perms({ rules: { ...EMPTY_RULES, deny: ["write_file"] } }));
    expect((await call("write_file", { path: "a.txt", content: "x" })).is_error).toBe(true);
    host.setPermissions(DEFAULT_PERMISSIONS);
    expect((await call("write_file", { path: "a.txt", content: "x" })).is_error).toBeUndefined();
    expect(exists("a.txt")).toBe(true);
  });
});

describe("ask mode", () => {
  it("shell waits for a person; approved, it runs, with their note", async () => {
    host.setPermissions(perms({ mode: "ask" }));
    const awaited: (string | null)[] = [];
    const running = call("shell", { command: "touch approved.txt && echo ran" }, context(undefined, awaited), "toolu_ask1");
    const approval = await approvalFor("toolu_ask1");
    expect(approval.request).toEqual({ callId: "toolu_ask1", kind: "tool", tool: "shell", input: { command: "touch approved.txt && echo ran" }, reason: "shell commands outside the allow rules need approval (mode ask)" });
    await new Promise((r) => setTimeout(r, 100));
    expect(exists("approved.txt")).toBe(false);
    host.decide("toolu_ask1", { status: "approved", message: "ok, but be quick" });
    const res = await running;
    expect(res.is_error).toBeUndefined();
    expect(res.content).toContain("ran");
    expect(res.content).toContain("Approved with a note: ok, but be quick");
    expect(exists("approved.txt")).toBe(true);
    expect(awaited).toEqual(["toolu_ask1", null]);
    // Reading and editing need nobody.
    expect((await call("write_file", { path: "b.txt", content: "x" })).is_error).toBeUndefined();
    expect(host.approvals).toHaveLength(1);
  });

  it("denied by a person: not run, and the model reads their message", async () => {
    host.setPermissions(perms({ mode: "ask" }));
    const running = call("shell", { command: "touch nope.txt" }, context(), "toolu_ask2");
    await approvalFor("toolu_ask2");
    host.decide("toolu_ask2", { status: "denied", message: "not on main, please" });
    expect(await running).toMatchObject({ is_error: true, content: "Denied by a person: not on main, please" });
    const cancelled = call("shell", { command: "touch nope.txt" }, context(), "toolu_ask3");
    await approvalFor("toolu_ask3");
    host.decide("toolu_ask3", { status: "cancelled" });
    expect(await cancelled).toMatchObject({ is_error: true, content: "Denied by a person: no reason given" });
    expect(exists("nope.txt")).toBe(false);
  });

  it("an allow rule runs a command without asking; an ask rule asks even in auto mode", async () => {
    host.setPermissions(perms({ mode: "ask", rules: { ...EMPTY_RULES, allow: ["shell(echo *)"] } }));
    expect((await call("shell", { command: "echo allowed" })).content).toContain("allowed");
    host.setPermissions(perms({ mode: "auto", rules: { ...EMPTY_RULES, ask: ["write_file(**/*.lock)"] } }));
    const running = call("write_file", { path: "x/y.lock", content: "" }, context(), "toolu_lock");
    expect((await approvalFor("toolu_lock")).request.reason).toBe("matches ask rule write_file(**/*.lock)");
    host.decide("toolu_lock", { status: "approved" });
    expect((await running).is_error).toBeUndefined();
    expect(exists("x/y.lock")).toBe(true);
  });

  it("the same callId asked twice gets the same approval (a restarted worker asks again)", async () => {
    host.setPermissions(perms({ mode: "ask" }));
    const first = new AbortController();
    const waiting = call("shell", { command: "touch twice.txt" }, context(first.signal), "toolu_same");
    await approvalFor("toolu_same");
    first.abort(); // the worker goes away while it waits
    expect(await waiting).toMatchObject({ is_error: true, content: "Not run: the worker was stopped." });
    expect(exists("twice.txt")).toBe(false);
    const again = call("shell", { command: "touch twice.txt" }, context(), "toolu_same");
    await new Promise((r) => setTimeout(r, 200));
    expect(host.approvals).toHaveLength(1);
    expect(host.approvals[0].posts).toBe(2);
    host.decide("toolu_same", { status: "approved" });
    expect((await again).is_error).toBeUndefined();
    expect(exists("twice.txt")).toBe(true);
  });
});

describe("plan mode", () => {
  it("denies writes and shell, allows reading; an approved plan switches the mode", async () => {
    host.setPermissions(perms({ mode: "plan", rules: { ...EMPTY_RULES, allow: ["write_file", "shell"] } }));
    fs.writeFileSync(path.join(workspace, "r.txt"), "readable\n");
    const write = await call("write_file", { path: "w.txt", content: "x" });
    expect(write).toMatchObject({ is_error: true, content: "Denied: plan mode: only reading is allowed; propose your plan with exit_plan_mode" });
    expect((await call("shell", { command: "touch s.txt" })).is_error).toBe(true);
    expect(exists("w.txt") || exists("s.txt")).toBe(false);
    expect((await call("read_file", { path: "r.txt" })).content).toContain("readable");

    const proposing = call("exit_plan_mode", { plan: "1. write w.txt" }, context(), "toolu_plan1");
    const approval = await approvalFor("toolu_plan1");
    expect(approval.request).toMatchObject({ kind: "plan", tool: "exit_plan_mode", input: { plan: "1. write w.txt" } });
    host.decide("toolu_plan1", { status: "denied", message: "add tests" });
    expect(await proposing).toMatchObject({ content: "The plan was not approved: add tests. Revise it." });

    const again = call("exit_plan_mode", { plan: "1. write w.txt\n2. test it" }, context(), "toolu_plan2");
    await approvalFor("toolu_plan2");
    host.decide("toolu_plan2", { status: "approved", mode: "auto" });
    expect((await again).content).toBe("The plan was approved; mode is now auto: go ahead and carry it out.");
    expect((await call("write_file", { path: "w.txt", content: "x" })).is_error).toBeUndefined();
    expect(exists("w.txt")).toBe(true);
    expect(host.approvals).toHaveLength(2);
  });

  it("exit_plan_mode outside plan mode says so and asks nobody", async () => {
    const res = await call("exit_plan_mode", { plan: "p" });
    expect(res.content).toMatch(/^Not in plan mode/);
    expect(host.approvals).toHaveLength(0);
  });
});

describe("tool hooks", () => {
  it("a failing pre_tool hook blocks the call; its output reaches the model, masked", async () => {
    host.setPermissions(
      perms({
        hooks: {
          pre_tool: [hook('printf "%s %s\\n" "$TOOL_NAME" "$TOOL_INPUT" >> .hooklog'), hook('echo "no shell here ($API_TOKEN)" >&2; exit 3', { tools: ["shell"] })],
        },
      }),
    );
    const res = await call("shell", { command: "touch blocked.txt" }, context(), "toolu_pre");
    expect(res).toMatchObject({ is_error: true, content: 'Blocked by the pre_tool hook `echo "no shell here ($API_TOKEN)" >&2; exit 3` (exit 3):\nno shell here (***)\n' });
    expect(exists("blocked.txt")).toBe(false);
    expect(hookEvents()).toEqual([{ hook: "pre_tool", command: 'echo "no shell here ($API_TOKEN)" >&2; exit 3', callId: "toolu_pre", exitCode: 3, output: "no shell here (***)\n", blocked: true }]);
    // The hook limited to shell does not run for other tools; the first saw every call.
    expect((await call("write_file", { path: "ok.txt", content: "x" })).is_error).toBeUndefined();
    const log = fs.readFileSync(path.join(workspace, ".hooklog"), "utf8").trim().split("\n");
    expect(log).toEqual(['shell {"command":"touch blocked.txt"}', 'write_file {"path":"ok.txt","content":"x"}']);
  });

  it("hooks never run for a denied call", async () => {
    host.setPermissions(perms({ rules: { ...EMPTY_RULES, deny: ["shell"] }, hooks: { pre_tool: [hook("touch pre.ran")], post_tool: [hook("touch post.ran")] } }));
    expect((await call("shell", { command: "true" })).is_error).toBe(true);
    expect(exists("pre.ran") || exists("post.ran")).toBe(false);
  });

  it("a pre_tool hook past its timeout is killed and blocks", async () => {
    host.setPermissions(perms({ hooks: { pre_tool: [hook("echo waiting; sleep 30", { timeoutS: 1 })] } }));
    const t0 = Date.now();
    const res = await call("shell", { command: "touch late.txt" });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(res.content).toMatch(/^Blocked by the pre_tool hook `echo waiting; sleep 30` \(timed out after 1 s\):\nwaiting\n/);
    expect(exists("late.txt")).toBe(false);
  });

  it("a failing post_tool hook turns the result into an error carrying the tool's output", async () => {
    host.setPermissions(perms({ hooks: { post_tool: [hook('echo "lint: $TOOL_IS_ERROR $(printf %s "$TOOL_OUTPUT" | head -1)"; exit 1', { tools: ["shell"] })] } }));
    const res = await call("shell", { command: "echo tool said hi" }, context(), "toolu_post");
    expect(res.is_error).toBe(true);
    expect(res.content).toBe("tool said hi\n[exit code 0]\n\nThe post_tool hook `echo \"lint: $TOOL_IS_ERROR $(printf %s \"$TOOL_OUTPUT\" | head -1)\"; exit 1` failed (exit 1):\nlint: false tool said hi\n");
    expect(hookEvents()).toEqual([expect.objectContaining({ hook: "post_tool", callId: "toolu_post", exitCode: 1, blocked: false })]);
    const passing = perms({ hooks: { post_tool: [hook("true")] } });
    host.setPermissions(passing);
    expect((await call("shell", { command: "echo fine" })).is_error).toBeUndefined();
  });
});

describe("stop hooks", () => {
  const task = "STOPTASK";
  const answer = (text: string) => ({ blocks: [{ type: "text" as const, text }] });

  async function turnWith(hooks: Partial<Hooks>, scripts: ScriptInput[]) {
    const stub = await startModelStub({ scripts });
    const gateway = await startModelGateway(stub.url);
    cleanup.push(() => stub.close(), () => gateway.close());
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
    const emit = (e: NewEvent) => void events.push(e);
    const permissions = staticPermissions({ hooks: { ...EMPTY_HOOKS, ...hooks } });
    const reason = await runTurn({
      config,
      state,
      system: state.system!,
      tools: TOOLS,
      toolDefs: toolDefinitions(TOOLS),
      client: createClient(new Channel(gateway.socketPath)),
      context: { condense: async () => {}, cacheRequest },
      signal,
      emit,
      save: () => undefined,
      takeMessages: async () => 0,
      toolContext: () => ({ workspace, config, signal, emit, drained: async () => undefined, pendingBytes: () => 0, permissions }),
    });
    return { reason, state, stub };
  }
  const userTexts = (messages: MessageParam[]) =>
    messages.filter((m) => m.role === "user").flatMap((m) => (typeof m.content === "string" ? [m.content] : m.content.flatMap((b) => (b.type === "text" ? [b.text] : []))));

  it("a stop hook failing twice then passing sends the model back twice", async () => {
    const counter = 'n=$(cat .stopcount 2>/dev/null || echo 0); n=$((n+1)); echo $n > .stopcount; [ $n -ge 3 ] || { echo "tests failed (run $n)"; exit 1; }';
    const run = await turnWith({ stop: [hook(counter)], stopMaxRuns: 3 }, [{ match: task, steps: [answer("Done."), answer("Fixed."), answer("Fixed again.")] }]);
    expect(run.reason).toBeUndefined();
    expect(run.stub.requests).toHaveLength(3);
    expect(run.state.turn?.stopRuns).toBe(2);
    expect(userTexts(run.state.messages).slice(1)).toEqual([
      `The stop hook \`${counter}\` failed (exit 1); fix this before you finish:\ntests failed (run 1)\n`,
      `The stop hook \`${counter}\` failed (exit 1); fix this before you finish:\ntests failed (run 2)\n`,
    ]);
    expect(hookEvents().map((h) => [h.hook, h.exitCode, h.blocked, h.output])).toEqual([
      ["stop", 1, true, "tests failed (run 1)\n"],
      ["stop", 1, true, "tests failed (run 2)\n"],
    ]);
    expect(fs.readFileSync(path.join(workspace, ".stopcount"), "utf8").trim()).toBe("3");
  });

  it("stopMaxRuns: after that many rounds a failure is reported and the turn ends", async () => {
    const run = await turnWith({ stop: [hook("echo still red; exit 2")], stopMaxRuns: 1 }, [{ match: task, steps: [answer("Done."), answer("Tried."), answer("Never asked.")] }]);
    expect(run.reason).toBeUndefined();
    expect(run.stub.requests).toHaveLength(2);
    expect(hookEvents().map((h) => h.blocked)).toEqual([true, false]);
  });

  it("passing stop hooks end the turn at once", async () => {
    const run = await turnWith({ stop: [hook("true")] }, [{ match: task, steps: [answer("Done."), answer("Never asked.")] }]);
    expect(run.stub.requests).toHaveLength(1);
    expect(hookEvents()).toEqual([]);
  });
});
