// MCP servers end to end on real parts: PostgreSQL, the repository settings route, Docker, the
// bundled worker in its sandbox, the host's channel and remote hub, the scripted model. The stdio
// fixture (test/fixtures/mcp/server.mjs) is committed in the test repository, as a team would keep
// its own server; a remote server listens on the host's loopback, reached through a pin, with a
// header token the sandbox must never see; a server the egress policy does not allow is refused.
const PORT = 20_000 + Math.floor(Math.random() * 20_000);
process.env.DOCKSIDE_EGRESS_PINS = `mcp.test=127.0.0.1:${PORT}`;
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { PATCH as repoPatch } from "../../app/api/repos/[id]/route";
import { GET as sessionMcp } from "../../app/api/sessions/[id]/mcp/route";
import type { SessionMcp } from "../../lib/mcp/session-servers";
import { createApiToken } from "../../lib/auth/tokens";
import { db } from "../../lib/db/client";
import type { EventDataOf, EventType, SessionEvent } from "../../lib/events/schema";
import { makeMember } from "../../lib/history/test-fixtures";
import { remoteMcpHub } from "../../lib/mcp/remote-hub";
import { registerWithEnvironment } from "../environment-settings";
import { makeRepo } from "../fixtures";
import { callRoute } from "../route-call";
import { env } from "../../lib/config/env";
import { setRuntime } from "../../lib/runtime/boot";
import { checkHealth } from "../../lib/runtime/health";
import { INSTANCE_LABEL, POOL_LABEL } from "../../lib/sandbox/container";
import { docker } from "../../lib/sandbox/docker";
import { Orchestrator } from "../../lib/sessions/orchestrator";
import { allEvents, script, startHarness, TEAM, waitStatusEvent, type Harness } from "../session-harness";

const SECRET = `mcpsecret${Math.random().toString(36).slice(2, 12)}`;
const TOKEN = `Bearer ${SECRET}`;
// A stdio server's own token (its env): a server that logs it must not put it in the session's log.
const STDIO_SECRET = `stdiosecret${Math.random().toString(36).slice(2, 12)}`;
/** A shell pattern for the secret that the command line itself does not hold (the agent's state keeps its commands). */
const SECRET_PATTERN = `"$(printf %s ${SECRET.slice(0, 9)} ${SECRET.slice(9)})"`;
const FIXTURE = fs.readFileSync(path.resolve(__dirname, "../fixtures/mcp/server.mjs"), "utf8");
const seenAuth: (string | undefined)[] = [];
let remote: http.Server;
let h: Harness;
let admin = "";

const use = (id: string, name: string, input: Record<string, unknown> = {}) => ({ type: "tool_use" as const, id, name, input });
const say = (text: string) => ({ type: "text" as const, text });
const of = <T extends EventType>(events: SessionEvent[], type: T): EventDataOf<T>[] => events.flatMap((e) => (e.type === type ? [e.data as EventDataOf<T>] : []));
const result = (events: SessionEvent[], callId: string) => of(events, "tool.result").find((r) => r.callId === callId);
/** What the model was told in its last request (the tool results of the step before). */
const lastToldModel = (marker: string) => {
  const mine = h.stub.requests.filter((r) => JSON.stringify(r.body).includes(marker));
  return JSON.stringify((mine[mine.length - 1].body as { messages: unknown[] }).messages.slice(-1));
};

/** A stateless streamable-HTTP MCP server on loopback: `whoami` says whether the token came, `leak` echoes it. */
function startRemote(): Promise<http.Server> {
  const server = http.createServer(async (req, res) => {
    seenAuth.push(req.headers.authorization);
    const s = new McpServer({ name: "loopback", version: "1.0.0" });
    s.registerTool("whoami", { description: "Says whether the caller is authorized", inputSchema: { greeting: z.string() } }, async ({ greeting }) => ({
      content: [{ type: "text", text: `${greeting}: ${req.headers.authorization === TOKEN ? "authorized" : "anonymous"}` }],
    }));
    s.registerTool("leak", { description: "Echoes the caller's credentials" }, async () => ({ content: [{ type: "text", text: `you sent ${req.headers.authorization}` }] }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => void transport.close());
    await s.connect(transport);
    await transport.handleRequest(req, res);
  });
  return new Promise((resolve) => server.listen(PORT, "127.0.0.1", () => resolve(server)));
}

/** A repository with the fixture server committed, registered to the test team with the agent's egress limited to mcp.test. */
async function repoWithServers(rules?: { deny: string[] }): Promise<{ origin: string; id: string }> {
  const origin = makeRepo({ "README.md": "# mcp\n", "tools/mcp.mjs": FIXTURE });
  const id = await registerWithEnvironment(origin, { egress: { agent: "allowlist", allow: ["mcp.test"] } });
  const r = await callRoute<{ mcpServers: { servers: { name: string }[] } }, { id: string }>(repoPatch, admin, "PATCH", { id }, {
    mcpServers: {
      fixture: { command: "node", args: ["tools/mcp.mjs"] },
      logger: { command: "node", args: ["tools/mcp.mjs", "stderr"], env: { API_TOKEN: STDIO_SECRET } },
      broken: { command: "no-such-mcp-server-binary" },
      remote: { url: `http://mcp.test:${PORT}/mcp`, headers: { Authorization: TOKEN } },
      blocked: { url: `http://blocked.test:${PORT}/mcp`, headers: { Authorization: TOKEN } },
    },
    ...(rules ? { rules: { allow: [], ask: [], ...rules } } : {}),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.mcpServers.servers.map((s) => s.name).sort()).toEqual(["blocked", "broken", "fixture", "logger", "remote"]);
  return { origin, id };
}

beforeAll(async () => {
  execFileSync("node", ["scripts/build-worker.mjs"], { stdio: "ignore" });
  h = await startHarness();
  remote = await startRemote();
  admin = (await createApiToken((await makeMember(TEAM, "admin")).user.id, TEAM, "admin")).token;
}, 180_000);
afterAll(async () => {
  await h?.close();
  await remoteMcpHub().closeAll();
  // The hub keeps its connections for the session's calls: cut them so the server can close.
  remote?.closeAllConnections();
  await new Promise<void>((resolve) => remote?.close(() => resolve()));
});

describe("a session with MCP servers", () => {
  it("runs the repository's stdio and remote tools, reports the servers that fail, and goes on", async () => {
    const { origin } = await repoWithServers();
    const marker = "MCP-E2E-main";
    h.stub.addScript(
      script(marker, [
        {
          blocks: [
            use("toolu_echo", "mcp__fixture__echo", { text: "hello through the sandbox" }),
            use("toolu_big", "mcp__fixture__big", { bytes: 300_000 }),
            use("toolu_who", "mcp__remote__whoami", { greeting: "hi" }),
            use("toolu_leak", "mcp__remote__leak"),
            // Whatever the agent can reach in its sandbox: its environment and files.
            use("toolu_look", "shell", { command: `env; grep -rIl -s -e ${SECRET_PATTERN} /workspace /home /tmp /run /etc 2>/dev/null; echo LOOKED` }),
          ],
        },
        { blocks: [say("All MCP tools answered.")] },
      ]),
    );
    const s = await h.orchestrator.createSession(TEAM, { repo: origin, prompt: `${marker}: use the tools` });
    const events = await waitStatusEvent(s.id, "idle", 1, 180_000);

    // The session lists its servers and their tools (the transcript's Tools panel folds these).
    const servers = Object.fromEntries(of(events, "mcp.server").map((d) => [d.server, d]));
    expect(servers.fixture).toMatchObject({ kind: "stdio", state: "ready", tools: expect.arrayContaining(["mcp__fixture__echo", "mcp__fixture__big"]) });
    expect(servers.remote).toMatchObject({ kind: "remote", state: "ready", tools: expect.arrayContaining(["mcp__remote__whoami", "mcp__remote__leak"]) });
    expect(servers.broken).toMatchObject({ kind: "stdio", state: "failed", reason: expect.stringMatching(/not found/) });
    expect(servers.blocked).toMatchObject({ kind: "remote", state: "failed", reason: expect.stringMatching(/refused by the egress policy: blocked\.test is not on the allowlist/) });
    // The logging server's stderr reached the transcript with its token masked.
    const logged = of(events, "mcp.stderr").filter((d) => d.server === "logger").map((d) => d.text).join("");
    expect(logged).toContain("starting up with token ***");
    expect(JSON.stringify(events)).not.toContain(STDIO_SECRET);
    // The same list for programs, names only: no command, url or header.
    const listed = await callRoute<SessionMcp, { id: string }>(sessionMcp, admin, "GET", { id: s.id });
    expect(listed.status).toBe(200);
    const byName = Object.fromEntries(listed.body.servers.map((x) => [x.name, x]));
    expect(byName.fixture).toMatchObject({ kind: "stdio", state: "ready", tools: expect.arrayContaining(["mcp__fixture__echo"]) });
    expect(byName.broken).toMatchObject({ state: "failed", reason: expect.stringMatching(/not found/) });
    expect(byName.remote).toMatchObject({ kind: "remote", state: "ready" });
    expect(JSON.stringify(listed.body)).not.toContain(TOKEN);
    expect(JSON.stringify(listed.body)).not.toContain("mcp.test:");
    // The model is offered the working servers' tools, with their schemas, and none of the failed ones.
    const offered = (h.stub.requests.find((r) => JSON.stringify(r.body).includes(marker))!.body as { tools: { name: string; input_schema: unknown }[] }).tools;
    expect(offered.find((t) => t.name === "mcp__fixture__echo")?.input_schema).toMatchObject({ properties: { text: { type: "string" } } });
    expect(offered.some((t) => t.name.startsWith("mcp__broken__") || t.name.startsWith("mcp__blocked__"))).toBe(false);

    // The stdio tool ran in the sandbox and its answer reached the model.
    expect(result(events, "toolu_echo")).toMatchObject({ isError: false, output: "hello through the sandbox" });
    expect(lastToldModel(marker)).toContain("hello through the sandbox");
    // A big answer is capped like a built-in tool's output: the model gets the cap, not 300 KB.
    const big = result(events, "toolu_big")!;
    expect(big.truncated).toBe(true);
    expect(big.output).toContain("BIG-START");
    expect(big.output.length).toBeLessThan(40_000);
    // The remote server got the host-held token; the sandbox never sees it, even echoed back.
    expect(result(events, "toolu_who")).toMatchObject({ isError: false, output: "hi: authorized" });
    expect(result(events, "toolu_leak")!.output).toBe("you sent ***");
    expect(seenAuth.filter(Boolean).every((a) => a === TOKEN)).toBe(true);
    expect(seenAuth.length).toBeGreaterThan(0);
    const look = result(events, "toolu_look")!;
    expect(look.output).toContain("LOOKED");
    expect(look.output).not.toContain(SECRET);
    expect(look.output).not.toMatch(/^\//m);
    expect(JSON.stringify(events)).not.toContain(SECRET);
    const row = await db().session.findUniqueOrThrow({ where: { id: s.id } });
    const inspect = execFileSync("docker", ["inspect", row.containerId!], { encoding: "utf8" });
    expect(inspect).not.toContain(SECRET);
    // As root, anywhere in the sandbox's own files (the worker's state and config included).
    const found = execFileSync("docker", ["exec", row.containerId!, "sh", "-c", `grep -rIl -s -e ${SECRET_PATTERN} / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev --exclude-dir=usr; true`], { encoding: "utf8", timeout: 120_000 });
    expect(found.trim()).toBe("");

    // The session went on without the servers that failed.
    expect(of(events, "assistant.text").map((d) => d.text).join("")).toContain("All MCP tools answered.");
  }, 300_000);

  it("refuses an MCP tool a repository deny rule names (mcp__fixture__*), and the model reads why", async () => {
    const { origin } = await repoWithServers({ deny: ["mcp__fixture__*"] });
    const marker = "MCP-E2E-denied";
    h.stub.addScript(script(marker, [{ blocks: [use("toolu_denied", "mcp__fixture__echo", { text: "must not run" })] }, { blocks: [say("Refused, understood.")] }]));
    const s = await h.orchestrator.createSession(TEAM, { repo: origin, prompt: `${marker}: try it` });
    const events = await waitStatusEvent(s.id, "idle", 1, 180_000);
    expect(result(events, "toolu_denied")).toMatchObject({ isError: true, output: expect.stringMatching(/^Denied: matches deny rule mcp__fixture__\*/) });
    expect(lastToldModel(marker)).toContain("Denied: matches deny rule mcp__fixture__*");
    expect(of(events, "assistant.text").map((d) => d.text).join("")).toContain("Refused, understood.");
    expect((await allEvents(s.id)).some((e) => e.type === "tool.result" && e.data.output.includes("must not run"))).toBe(false);
  }, 300_000);

  it("plan mode refuses MCP tools and a subagent that may write, and runs a read-only one; ask mode runs task without a person", async () => {
    const { origin } = await repoWithServers();
    const plan = "MCP-E2E-plan";
    const task = (id: string, readOnly?: boolean) => use(id, "task", { description: "Read the readme", prompt: `SUBTASK-${id}: read README.md`, ...(readOnly ? { readOnly } : {}) });
    h.stub.addScript(script(plan, [{ blocks: [use("toolu_plan_mcp", "mcp__fixture__echo", { text: "x" }), task("toolu_plan_rw"), task("toolu_plan_ro", true)] }, { blocks: [say("Planned.")] }]));
    h.stub.addScript(script("SUBTASK-toolu_plan_ro", [{ blocks: [use("toolu_sub_read", "read_file", { path: "README.md" })] }, { blocks: [say("REPORT: the readme says mcp")] }]));
    const p = await h.orchestrator.createSession(TEAM, { repo: origin, prompt: `${plan}: plan it`, mode: "plan" });
    const planned = await waitStatusEvent(p.id, "idle", 1, 180_000);
    expect(result(planned, "toolu_plan_mcp")).toMatchObject({ isError: true, output: expect.stringMatching(/^Denied: plan mode: MCP tools run only where an allow rule names them/) });
    expect(result(planned, "toolu_plan_rw")).toMatchObject({ isError: true, output: expect.stringMatching(/^Denied: plan mode: a subagent may only read/) });
    expect(result(planned, "toolu_plan_ro")).toMatchObject({ isError: false, output: "REPORT: the readme says mcp" });
    expect(of(planned, "tool.call").find((c) => c.callId === "toolu_sub_read")).toMatchObject({ parent: "toolu_plan_ro" });

    const ask = "MCP-E2E-ask";
    h.stub.addScript(script(ask, [{ blocks: [task("toolu_ask_task")] }, { blocks: [say("Asked nobody.")] }]));
    h.stub.addScript(script("SUBTASK-toolu_ask_task", [{ blocks: [use("toolu_sub_read2", "read_file", { path: "README.md" })] }, { blocks: [say("REPORT: read it")] }]));
    const a = await h.orchestrator.createSession(TEAM, { repo: origin, prompt: `${ask}: go`, mode: "ask" });
    const asked = await waitStatusEvent(a.id, "idle", 1, 180_000);
    expect(result(asked, "toolu_ask_task")).toMatchObject({ isError: false, output: "REPORT: read it" });
    expect(asked.some((e) => e.type === "approval.requested" || (e.type === "status" && e.data.status === "awaiting_approval"))).toBe(false);
  }, 300_000);

  it("starts the servers in a sandbox taken from the warm pool (the config arrives at the claim)", async () => {
    await h.orchestrator.shutdown();
    h.orchestrator = new Orchestrator(undefined, { warmPool: 1 });
    setRuntime({ orchestrator: h.orchestrator, health: () => checkHealth("external") });
    h.orchestrator.warmPool.start();
    await h.orchestrator.warmPool.filled();
    // This process's pool only: other test files (other processes) may run pools of their own.
    const mine = `${POOL_LABEL}=${os.hostname()}:${process.pid}`;
    const pooled = (await docker().listContainers({ all: true, filters: { label: [mine, `${INSTANCE_LABEL}=${env().dataDir}`] } })).map((c) => c.Id);
    expect(pooled).toHaveLength(1);

    const { origin } = await repoWithServers();
    const marker = "MCP-E2E-pooled";
    h.stub.addScript(script(marker, [{ blocks: [use("toolu_pooled", "mcp__fixture__echo", { text: "from a pooled sandbox" }), use("toolu_pooled_r", "mcp__remote__whoami", { greeting: "pooled" })] }, { blocks: [say("Pooled fine.")] }]));
    const s = await h.orchestrator.createSession(TEAM, { repo: origin, prompt: `${marker}: go` });
    const events = await waitStatusEvent(s.id, "idle", 1, 180_000);
    const row = await db().session.findUniqueOrThrow({ where: { id: s.id } });
    expect(pooled).toContain(row.containerId);
    expect(of(events, "mcp.server").find((d) => d.server === "fixture")).toMatchObject({ state: "ready" });
    expect(result(events, "toolu_pooled")).toMatchObject({ isError: false, output: "from a pooled sandbox" });
    expect(result(events, "toolu_pooled_r")).toMatchObject({ isError: false, output: "pooled: authorized" });
  }, 300_000);
});
