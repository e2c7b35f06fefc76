// MCP servers in the worker, end to end in-process: the built worker bundle against the fake host
// and the scripted model, with the fixture server (test/fixtures/mcp/server.mjs, no dependencies)
// committed in the workspace as a repository would have it. Servers that work, crash, never
// answer, answer garbage or do not exist; a remote server through the host; a deny rule; a resume.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMPTY_HOOKS, EMPTY_RULES } from "../../../lib/protocol/permissions";
import type { WorkerConfig } from "../../../lib/protocol/worker";
import { startModelStub, type ModelStub } from "../../../lib/modelstub/server";
import type { WorkerEvent } from "../outbox";
import { startFakeHost, type FakeHost, type FakeMcp } from "../testing/fake-host";
import { gitIn, handOver, makeLayout, type Layout } from "../testing/layout";
import { buildWorker, startWorker, type WorkerProcess } from "../testing/worker-process";
import { testConfig } from "../testing/config";

const FIXTURE = path.resolve(__dirname, "../../../test/fixtures/mcp/server.mjs");
const server = (name: string, mode: string, env?: Record<string, string>) => ({ name, command: "node", args: ["tools/mcp.mjs", mode], ...(env ? { env } : {}) });

const tool = (name: string, input: Record<string, unknown> = {}) => ({ type: "tool_use" as const, name, input });
const text = (t: string) => ({ type: "text" as const, text: t });
const script = {
  match: "MCP-TASK",
  steps: [
    // Turn 1: a stdio tool, where it runs, and a remote tool.
    { blocks: [tool("mcp__fixture__echo", { text: "hello through MCP" }), tool("mcp__fixture__whoami"), tool("mcp__remote1__lookup", { q: "dockside" })] },
    { blocks: [text("Turn one done.")] },
    // Turn 2: denied by a rule.
    { blocks: [tool("mcp__fixture__echo", { text: "should not run" })] },
    { blocks: [text("Denied, fine.")] },
    // Turn 3: the server dies mid-call, then is used again.
    { blocks: [tool("mcp__flaky__crash")] },
    { blocks: [tool("mcp__flaky__echo", { text: "back again" })] },
    { blocks: [text("It came back.")] },
    // Turn 4: in mode ask, an MCP tool waits for a person like shell.
    { blocks: [tool("mcp__fixture__echo", { text: "approved echo" })] },
    { blocks: [text("Approved.")] },
    // Turn 5, after a restart of the worker.
    { blocks: [text("Resumed.")] },
  ],
};

let layout: Layout;
let config: WorkerConfig;
let stub: ModelStub;
let host: FakeHost;
let worker: WorkerProcess;
const mcp: FakeMcp = {
  remote: {
    servers: [
      { name: "remote1", state: "ok", tools: [{ name: "lookup", description: "Looks things up.", inputSchema: { type: "object", properties: { q: { type: "string" } } } }] },
    ],
  },
  call: (c) => ({ isError: false, text: `remote answer for ${String(c.arguments.q)}` }),
  calls: [],
};

const launch = () =>
  startWorker({
    socketPath: host.socketPath,
    stateDir: layout.stateDir,
    workspace: layout.workspace,
    home: layout.dir,
    inboxDir: layout.inbox,
    env: { DOCKSIDE_MCP_START_TIMEOUT_MS: "3000" },
  });
const idle = (events: WorkerEvent[]) => events.filter((e) => e.type === "status" && e.data.status === "idle").length;
const of = <T extends WorkerEvent["type"]>(type: T, events = host.events) => events.flatMap((e) => (e.type === type ? [e.data as Extract<WorkerEvent, { type: T }>["data"]] : []));
const results = (events = host.events) => of("tool.result", events);
const requestTools = (i: number) => ((stub.requests[i].body as { tools: { name: string; input_schema: unknown }[] }).tools ?? []);

beforeAll(async () => {
  buildWorker();
  layout = makeLayout("dockside-mcp-");
  const git = gitIn(layout.workspace);
  git("init", "-q", "-b", "main");
  fs.mkdirSync(path.join(layout.workspace, "tools"));
  fs.copyFileSync(FIXTURE, path.join(layout.workspace, "tools/mcp.mjs"));
  git("add", "-A");
  git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init");
  handOver(layout);
  config = testConfig({
    baseCommit: git("rev-parse", "HEAD"),
    agentUid: layout.uid,
    agentGid: layout.gid,
    agentEnv: { API_TOKEN: "secret-token-value-123" },
    mcpStdio: [
      server("fixture", "stderr", { FIXTURE_ENV: "from-config" }),
      server("flaky", "normal"),
      server("silent", "silent"),
      server("garbage", "garbage"),
      { name: "missing", command: "no-such-mcp-server-binary" },
    ],
    mcpRemote: ["remote1"],
  });
  stub = await startModelStub({ scripts: [script] });
  host = await startFakeHost({ dir: layout.run, config, modelUrl: stub.url, mcp });
  worker = launch();
}, 60_000);

afterAll(async () => {
  worker?.child.kill("SIGKILL");
  await host?.close();
  await stub?.close();
  if (worker?.stderr()) console.log(`worker stderr:\n${worker.stderr()}`);
  fs.rmSync(layout.dir, { recursive: true, force: true });
});

describe("MCP servers in the worker", () => {
  it("reports each server's start, gives the model the working servers' tools after the built-in ones, and runs them", async () => {
    host.sendMessage("MCP-TASK: use the MCP tools");
    await host.waitFor((events) => idle(events) === 1, 60_000);

    const states = Object.fromEntries(of("mcp.server").map((d) => [d.server, d]));
    expect(states.fixture).toMatchObject({ kind: "stdio", state: "ready", tools: ["mcp__fixture__echo", "mcp__fixture__whoami", "mcp__fixture__crash", "mcp__fixture__slow", "mcp__fixture__big"] });
    expect(states.fixture.skipped?.map((s) => s.tool)).toEqual(["a_tool_name_that_is_far_too_long_for_the_messages_api_limit", "bad_schema"]);
    expect(states.fixture.skipped?.[0].reason).toMatch(/over 64 characters/);
    expect(states.flaky).toMatchObject({ state: "ready" });
    expect(states.silent).toMatchObject({ state: "failed" });
    expect(states.silent.reason).toMatch(/did not answer initialize/);
    expect(states.garbage).toMatchObject({ state: "failed" });
    expect(states.garbage.reason).toMatch(/not MCP|not JSON-RPC/);
    expect(states.missing).toMatchObject({ state: "failed" });
    expect(states.missing.reason).toMatch(/not found/);
    expect(states.remote1).toMatchObject({ kind: "remote", state: "ready", tools: ["mcp__remote1__lookup"] });

    // Built-in tools first (task among them), then MCP tools with the server's own schema.
    const names = requestTools(0).map((t) => t.name);
    expect(names.slice(0, 2)).toEqual(["shell", "read_file"]);
    expect(names).toContain("task");
    const mcpNames = names.filter((n) => n.startsWith("mcp__"));
    expect(names.slice(-mcpNames.length)).toEqual(mcpNames);
    expect(mcpNames).toContain("mcp__remote1__lookup");
    expect(mcpNames.some((n) => n.startsWith("mcp__silent__") || n.includes("bad_schema"))).toBe(false);
    expect(requestTools(0).find((t) => t.name === "mcp__fixture__echo")?.input_schema).toEqual({ type: "object", properties: { text: { type: "string" } }, required: ["text"] });

    const [echo, whoami, remote] = results();
    expect(echo).toMatchObject({ isError: false, output: "hello through MCP" });
    // As the agent, in the workspace, with the server's env and nothing of the worker's. Its env
    // values are masked like the agent's secrets (a server's env is where its token goes): the
    // value the server read is exactly the configured one.
    expect(JSON.parse(whoami.output)).toEqual({ uid: layout.uid, cwd: layout.workspace, FIXTURE_ENV: "***", socket: null });
    expect(remote).toMatchObject({ isError: false, output: "remote answer for dockside" });
    expect(mcp.calls).toEqual([expect.objectContaining({ server: "remote1", tool: "lookup", arguments: { q: "dockside" } })]);

    // stderr is coalesced for a quarter second: the turn may end before its last piece is sent.
    await host.waitFor((events) => of("mcp.stderr", events).some((d) => d.text.includes("called echo")), 10_000);
    const stderr = of("mcp.stderr").filter((d) => d.server === "fixture").map((d) => d.text).join("");
    expect(stderr).toContain("fixture: starting up with token ***");
    expect(JSON.stringify(host.events)).not.toContain("secret-token-value-123");
    expect(stderr).toContain("fixture: called echo");
    // The session went on without the servers that failed.
    expect(of("assistant.text").map((d) => d.text).join("")).toBe("Turn one done.");
  });

  it("refuses an MCP tool a deny rule names, and tells the model", async () => {
    host.setPermissions({ mode: "auto", rules: { ...EMPTY_RULES, deny: ["mcp__fixture__echo"] }, hooks: EMPTY_HOOKS });
    const before = host.events.length;
    host.sendMessage("Echo again.");
    await host.waitFor((events) => idle(events) === 2, 60_000);
    const [denied] = results(host.events.slice(before));
    expect(denied.isError).toBe(true);
    expect(denied.output).toMatch(/^Denied: matches deny rule mcp__fixture__echo/);
    const told = JSON.stringify((stub.requests[stub.requests.length - 1].body as { messages: unknown[] }).messages.slice(-1));
    expect(told).toContain("Denied: matches deny rule mcp__fixture__echo");
    expect(of("mcp.stderr", host.events.slice(before)).some((d) => d.text.includes("called echo"))).toBe(false);
    host.setPermissions({ mode: "auto", rules: EMPTY_RULES, hooks: EMPTY_HOOKS });
  });

  it("restarts a server that died mid-call: the call gets a clear error, the transcript says so, and the next call works", async () => {
    const before = host.events.length;
    host.sendMessage("Crash it.");
    await host.waitFor((events) => idle(events) === 3, 60_000);
    const tail = host.events.slice(before);
    const [crash, echo] = results(tail);
    expect(crash.isError).toBe(true);
    expect(crash.output).toMatch(/The MCP server flaky exited while this call ran/);
    expect(of("mcp.server", tail)).toContainEqual(expect.objectContaining({ server: "flaky", state: "restarted", reason: expect.stringMatching(/exit code 3/) }));
    expect(echo).toMatchObject({ isError: false, output: "back again" });
  });

  it("asks a person before an MCP tool runs in mode ask, as for shell", async () => {
    host.setPermissions({ mode: "ask", rules: EMPTY_RULES, hooks: EMPTY_HOOKS });
    const before = host.events.length;
    host.sendMessage("Echo with approval.");
    await host.waitFor(() => host.approvals.some((a) => a.request.tool === "mcp__fixture__echo"), 60_000);
    const approval = host.approvals.find((a) => a.request.tool === "mcp__fixture__echo")!;
    expect(approval.request.reason).toBe("MCP tools outside the allow rules need approval (mode ask)");
    expect(of("tool.result", host.events.slice(before))).toEqual([]);
    host.decide(approval.request.callId, { status: "approved" });
    await host.waitFor((events) => idle(events) === 4, 60_000);
    expect(results(host.events.slice(before))).toEqual([expect.objectContaining({ isError: false, output: "approved echo" })]);
    host.setPermissions({ mode: "auto", rules: EMPTY_RULES, hooks: EMPTY_HOOKS });
  });

  it("offers a resumed session the very same tools, even when a server is gone from the config", async () => {
    const firstTools = JSON.stringify(requestTools(0));
    worker.child.kill("SIGKILL");
    await worker.exited();
    config.mcpStdio = config.mcpStdio.filter((s) => s.name !== "flaky");
    const lastWid = host.events[host.events.length - 1].wid;
    worker = launch();
    host.sendMessage("Are you back?");
    await host.waitFor((events) => events.some((e) => e.wid > lastWid && e.type === "status" && e.data.status === "idle"), 60_000);
    expect(JSON.stringify(requestTools(stub.requests.length - 1))).toBe(firstTools);
    const after = host.events.filter((e) => e.wid > lastWid);
    expect(of("mcp.server", after).map((d) => d.server)).not.toContain("flaky");
    worker.child.kill("SIGTERM");
    expect(await worker.exited()).toBe(0);
  });
});
