// Remote MCP servers reached by the host: a real streamable-HTTP MCP server on loopback (the SDK's
// McpServer), the header reaching it and never the sandbox, the egress policy deciding (allowlist,
// private addresses only through a pin), a server that fails reported and the others going on,
// and the channel routes answering hostile bodies.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { makeRepo } from "../../test/fixtures";
import { createApiToken } from "../auth/tokens";
import { connectDb, db } from "../db/client";
import { makeMember, makeTeam } from "../history/test-fixtures";
import type { Pins } from "../egress/pins";
import { route, type ChannelHandlers } from "../sessions/channel-routes";
import { insertSession } from "../sessions/create-session";
import { WorkerConfigs } from "../sessions/worker-config";
import { updateMcpServers } from "./settings";
import { RemoteMcpHub } from "./remote-hub";
import type { Access } from "../auth/authorize";

const TOKEN = "Bearer loopback-secret-777";
const seen: (string | undefined)[] = [];
let mcpPort = 0;
let mcp: http.Server;
let redirect: http.Server;
let sessionId: string;
let teamId: string;

/** A stateless streamable-HTTP MCP server: `whoami` says whether the token came, `leak` echoes it. */
function startMcpServer(): Promise<http.Server> {
  const server = http.createServer(async (req, res) => {
    seen.push(req.headers.authorization);
    const s = new McpServer({ name: "loopback", version: "1.0.0" });
    s.registerTool("whoami", { description: "Says whether the caller is authorized", inputSchema: { greeting: z.string() } }, async ({ greeting }) => ({
      content: [{ type: "text", text: `${greeting}: ${req.headers.authorization === TOKEN ? "authorized" : "anonymous"}` }, { type: "image", data: "aGVsbG8=", mimeType: "image/png" }],
    }));
    s.registerTool("leak", { description: "Echoes the caller's credentials" }, async () => ({ content: [{ type: "text", text: `you sent ${req.headers.authorization}` }] }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => void transport.close());
    await s.connect(transport);
    await transport.handleRequest(req, res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

let redirectPort = 0;
const pins = (): Pins => new Map([["mcp.test", { host: "127.0.0.1", port: mcpPort }], ["dead.test", { host: "127.0.0.1", port: 1 }], ["moved.test", { host: "127.0.0.1", port: redirectPort }]]);

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  mcp = await startMcpServer();
  mcpPort = (mcp.address() as AddressInfo).port;
  // An allowed host that answers every request with a redirect to a host the policy refuses.
  redirect = http.createServer((req, res) => (seen.push(`redirect:${req.headers.authorization}`), res.writeHead(307, { location: "http://blocked.test/mcp" }).end()));
  await new Promise<void>((resolve) => redirect.listen(0, "127.0.0.1", resolve));
  redirectPort = (redirect.address() as AddressInfo).port;
  teamId = await makeTeam();
  const owner = (await makeMember(teamId, "owner")).user;
  await createApiToken(owner.id, teamId, "owner");
  // The agent may reach mcp.test and dead.test; blocked.test is not on the list.
  await db().team.update({ where: { id: teamId }, data: { egress: { agent: "allowlist", allow: ["mcp.test", "dead.test", "moved.test"] } } });
  const access = { teamId, caller: { user: owner } } as unknown as Access;
  await updateMcpServers(access, null, {
    tools: { url: `http://mcp.test:8080/mcp`, headers: { Authorization: TOKEN } },
    dead: { url: "http://dead.test/mcp" },
    blocked: { url: "https://blocked.test/mcp", headers: { Authorization: TOKEN } },
    moved: { url: "http://moved.test/mcp" },
  });
  sessionId = (await insertSession(teamId, { repo: makeRepo(), prompt: "remote mcp" } as never, owner.id)).id;
});

afterAll(async () => {
  await new Promise<void>((resolve) => mcp.close(() => resolve()));
  await new Promise<void>((resolve) => redirect.close(() => resolve()));
});

describe("remote MCP servers through the host", () => {
  it("lists tools with the header added by the host, reports failed servers, and goes on", async () => {
    const hub = new RemoteMcpHub({ pins: pins(), connectMs: 5000 });
    try {
      const { servers } = await hub.tools(sessionId);
      const by = Object.fromEntries(servers.map((s) => [s.name, s]));
      expect(by.tools.state).toBe("ok");
      expect(by.tools.tools.map((t) => t.name).sort()).toEqual(["leak", "whoami"]);
      expect(by.tools.tools.find((t) => t.name === "whoami")?.inputSchema).toMatchObject({ properties: { greeting: { type: "string" } } });
      expect(by.dead).toMatchObject({ state: "failed", tools: [] });
      expect(by.blocked).toMatchObject({ state: "failed", reason: expect.stringMatching(/refused by the egress policy: blocked\.test is not on the allowlist/) });
      // A redirect is never followed: the server fails, blocked.test is never asked.
      expect(by.moved).toMatchObject({ state: "failed", tools: [] });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.filter((h) => !h?.startsWith("redirect:")).every((h) => h === TOKEN)).toBe(true);

      const r = await hub.call(sessionId, { server: "tools", tool: "whoami", arguments: { greeting: "hello" }, callId: "c1" });
      expect(r).toEqual({ isError: false, text: "hello: authorized\n[image: image/png, 5 bytes — not shown]" });
      // A server that echoes the token never gets it back into the sandbox.
      const leak = await hub.call(sessionId, { server: "tools", tool: "leak", arguments: {}, callId: "c2" });
      expect(leak.text).toBe("you sent ***");
      const unknown = await hub.call(sessionId, { server: "nope", tool: "whoami", arguments: {}, callId: "c3" });
      expect(unknown).toMatchObject({ isError: true, text: expect.stringMatching(/no remote MCP server named nope/) });
      const badTool = await hub.call(sessionId, { server: "tools", tool: "missing", arguments: {}, callId: "c4" });
      expect(badTool).toMatchObject({ isError: true, text: expect.stringMatching(/has no tool missing/) });
    } finally {
      await hub.closeAll();
    }
  });

  it("refuses a name that resolves to a loopback address unless the operator pinned it", async () => {
    const hub = new RemoteMcpHub({ pins: new Map(), lookup: async () => [{ address: "127.0.0.1", family: 4 }] });
    try {
      const { servers } = await hub.tools(sessionId);
      expect(servers.find((s) => s.name === "tools")).toMatchObject({ state: "failed", reason: expect.stringMatching(/loopback/) });
      const r = await hub.call(sessionId, { server: "tools", tool: "whoami", arguments: { greeting: "x" }, callId: "c5" });
      expect(r).toMatchObject({ isError: true, text: expect.stringMatching(/refused by the egress policy/) });
    } finally {
      await hub.closeAll();
    }
  });

  it("refuses every server when the agent's egress is off", async () => {
    await db().team.update({ where: { id: teamId }, data: { egress: { agent: "none" } } });
    const hub = new RemoteMcpHub({ pins: pins() });
    try {
      const { servers } = await hub.tools(sessionId);
      expect(servers.every((s) => s.state === "failed" && /egress is off/.test(s.reason ?? ""))).toBe(true);
    } finally {
      await hub.closeAll();
      await db().team.update({ where: { id: teamId }, data: { egress: { agent: "allowlist", allow: ["mcp.test", "dead.test", "moved.test"] } } });
    }
  });
});

describe("the channel routes", () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    const configs = new WorkerConfigs();
    await configs.reload(sessionId);
    const h = { config: () => configs.get(sessionId), rate: () => 0 } as unknown as ChannelHandlers;
    server = http.createServer((req, res) => void route(req, res, h));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("never hands the sandbox a remote server's url or header", async () => {
    const configs = new WorkerConfigs();
    await configs.reload(sessionId);
    const config = JSON.stringify(configs.get(sessionId));
    const listed = await (await fetch(`${base}/worker/mcp/remote`)).text();
    for (const text of [config, listed]) {
      expect(text).not.toContain("loopback-secret-777");
      expect(text).not.toContain("http://mcp.test");
    }
    expect(JSON.parse(listed).servers.map((s: { name: string }) => s.name).sort()).toEqual(["blocked", "dead", "moved", "tools"]);
  });

  it("answers a hostile body with 400/422 and an unknown server as a failed call", async () => {
    const post = (body: string) => fetch(`${base}/worker/mcp/call`, { method: "POST", body });
    expect((await post("{not json")).status).toBe(400);
    expect((await post(JSON.stringify({ server: "../x", tool: "t", arguments: {}, callId: "1" }))).status).toBe(422);
    expect((await post(JSON.stringify({ server: "tools", tool: "t", arguments: {}, callId: "1", url: "http://evil.test" }))).status).toBe(422);
    expect((await post("x".repeat(400 * 1024))).status).toBe(413);
    const r = await post(JSON.stringify({ server: "other", tool: "t", arguments: {}, callId: "1" }));
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ isError: true, text: expect.stringMatching(/no remote MCP server named other/) });
  });
});
