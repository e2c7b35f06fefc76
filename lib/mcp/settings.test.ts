// The HTTP contract of MCP server settings: route handlers called with real Requests and API
// tokens (roles, another team's ids 404, 422s a person can act on, secret values never read back,
// a PATCH that leaves a token out keeps it), and a session's snapshot in its worker config.
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as repoMcpGet } from "../../app/api/repos/[id]/mcp/route";
import { PATCH as repoPatch } from "../../app/api/repos/[id]/route";
import { GET as teamMcpGet } from "../../app/api/teams/[id]/mcp/route";
import { PATCH as teamPatch } from "../../app/api/teams/[id]/route";
import { createApiToken } from "../auth/tokens";
import type { Role } from "../auth/roles";
import { connectDb, db } from "../db/client";
import { makeMember, makeTeam } from "../history/test-fixtures";
import { setRuntime, type Runtime } from "../runtime/boot";
import { callRoute, type RouteHandler } from "../../test/route-call";
import { makeRepo } from "../../test/fixtures";
import { insertSession } from "../sessions/create-session";
import { WorkerConfigs } from "../sessions/worker-config";
import type { McpServerDto, McpServersDto } from "./dto";
import { storedServers, openServer } from "./stored";

type Body = { error: { message: string }; mcpServers: McpServersDto } & McpServersDto & Record<string, unknown>;
const call = <P>(handler: RouteHandler<P>, token: string, method: string, params: P, body?: unknown) => callRoute<Body, P>(handler, token, method, params, body);

interface Side {
  team: string;
  repo: string;
  tokens: Record<Role, string>;
}
let A: Side;
let B: Side;

async function side(): Promise<Side> {
  const team = await makeTeam();
  const tokens = {} as Record<Role, string>;
  for (const role of ["owner", "admin", "member", "viewer"] as const) tokens[role] = (await createApiToken((await makeMember(team, role)).user.id, team, role)).token;
  const repo = crypto.randomUUID();
  await db().repository.create({ data: { id: repo, teamId: team, kind: "https", location: `https://git.example.com/${repo}`, source: `https://git.example.com/${repo}.git`, name: "app" } });
  return { team, repo, tokens };
}

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  setRuntime({ orchestrator: undefined, health: async () => ({}) } as unknown as Runtime);
  [A, B] = [await side(), await side()];
});

const byName = (list: McpServerDto[], name: string) => list.find((s) => s.name === name);

describe("PATCH /api/repos/:id {mcpServers}", () => {
  it("stores stdio and remote servers, shows secret names but never their values", async () => {
    const r = await call(repoPatch, A.tokens.admin, "PATCH", { id: A.repo }, {
      mcpServers: {
        docs: { command: "node", args: ["server.js"], env: { DOCS_KEY: "stdio-value-111" } },
        tracker: { url: "https://mcp.tracker.example.com/mcp", headers: { Authorization: "Bearer remote-token-222" } },
      },
    });
    expect(r.status).toBe(200);
    expect(byName(r.body.mcpServers.servers, "docs")).toEqual({ name: "docs", kind: "stdio", command: "node", args: ["server.js"], env: ["DOCS_KEY"] });
    expect(byName(r.body.mcpServers.servers, "tracker")).toEqual({ name: "tracker", kind: "remote", url: "https://mcp.tracker.example.com/mcp", headers: ["Authorization"] });
    const read = await call(repoMcpGet, A.tokens.admin, "GET", { id: A.repo });
    expect(read.status).toBe(200);
    const everything = JSON.stringify([r.body, read.body]);
    expect(everything).not.toContain("stdio-value-111");
    expect(everything).not.toContain("remote-token-222");
    // Sealed at rest too.
    const row = await db().repository.findUniqueOrThrow({ where: { id: A.repo } });
    expect(JSON.stringify(row.mcpServers)).not.toContain("remote-token-222");
  });

  it("keeps a secret the client did not resend (null or left out), and removes a server on null", async () => {
    // Edit the url's path and keep the token (null), add a header; then leave headers out entirely.
    let r = await call(repoPatch, A.tokens.admin, "PATCH", { id: A.repo }, { mcpServers: { tracker: { url: "https://mcp.tracker.example.com/v2", headers: { Authorization: null, "X-Org": "acme" } } } });
    expect(r.status).toBe(200);
    r = await call(repoPatch, A.tokens.admin, "PATCH", { id: A.repo }, { mcpServers: { tracker: { url: "https://mcp.tracker.example.com/v3" } } });
    expect(byName(r.body.mcpServers.servers, "tracker")).toMatchObject({ url: "https://mcp.tracker.example.com/v3", headers: ["Authorization", "X-Org"] });
    const row = await db().repository.findUniqueOrThrow({ where: { id: A.repo } });
    expect(openServer(storedServers(row.mcpServers, "test").tracker)).toEqual({ url: "https://mcp.tracker.example.com/v3", headers: { Authorization: "Bearer remote-token-222", "X-Org": "acme" } });
    // docs was never mentioned: still there with its env.
    expect(byName(r.body.mcpServers.servers, "docs")).toMatchObject({ env: ["DOCS_KEY"] });

    const moved = await call(repoPatch, A.tokens.admin, "PATCH", { id: A.repo }, { mcpServers: { tracker: { url: "https://elsewhere.example.net/mcp" } } });
    expect(moved.status).toBe(422);
    expect(moved.body.error.message).toMatch(/another host; give its header values again/);

    r = await call(repoPatch, A.tokens.admin, "PATCH", { id: A.repo }, { mcpServers: { docs: null } });
    expect(r.body.mcpServers.servers.map((s) => s.name)).toEqual(["tracker"]);
  });

  it("answers 422 with the reason: a bad name, a bad url, a kept value that was never set, too many", async () => {
    const cases: [unknown, RegExp][] = [
      [{ "bad name!": { command: "x" } }, /a server name is 1–24 letters/],
      [{ "a__b": { command: "x" } }, /cannot contain __/],
      [{ web: { url: "ftp://files.example.com" } }, /mcpServers\.web\.url/],
      [{ web: { url: "not a url" } }, /mcpServers\.web\.url/],
      [{ web: { args: ["x"] } }, /a stdio server needs a command/],
      [{ web: { command: "x", env: { NEW: null } } }, /NEW has no stored value to keep/],
      [Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`s${i}`, { command: "x" }])), /at most 16 MCP servers/],
    ];
    for (const [mcpServers, why] of cases) {
      const r = await call(repoPatch, A.tokens.admin, "PATCH", { id: A.repo }, { mcpServers });
      expect(r.status, JSON.stringify(mcpServers).slice(0, 80)).toBe(422);
      expect(r.body.error.message).toMatch(why);
    }
  });

  it("is for admins of the repository's own team: members 403, another team 404", async () => {
    const patch = { mcpServers: { x: { command: "x" } } };
    expect((await call(repoPatch, A.tokens.member, "PATCH", { id: A.repo }, patch)).status).toBe(403);
    expect((await call(repoMcpGet, A.tokens.member, "GET", { id: A.repo })).status).toBe(403);
    expect((await call(repoPatch, B.tokens.owner, "PATCH", { id: A.repo }, patch)).status).toBe(404);
    expect((await call(repoMcpGet, B.tokens.owner, "GET", { id: A.repo })).status).toBe(404);
    expect((await call(teamMcpGet, B.tokens.owner, "GET", { id: A.team })).status).toBe(404);
    expect((await call(teamPatch, A.tokens.viewer, "PATCH", { id: A.team }, patch)).status).toBe(403);
  });

  it("audits the names changed, never a value", async () => {
    const entries = await db().auditEntry.findMany({ where: { teamId: A.team, targetId: A.repo } });
    const text = JSON.stringify(entries.map((e) => e.data));
    expect(text).toContain('"tracker":"changed"');
    expect(text).not.toContain("remote-token-222");
  });
});

describe("the team's MCP servers and a session's snapshot", () => {
  it("gives a new session the team's servers overridden by the repository's, fixed at creation, headers never in the worker config", async () => {
    const repo = makeRepo();
    const owner = (await makeMember(B.team, "owner")).user.id;
    const ownerToken = (await createApiToken(owner, B.team, "owner")).token;
    // The first session registers the repository; its id is where the repository's servers go.
    const first = await insertSession(B.team, { repo, prompt: "register" } as never, owner);
    const repoId = (await db().session.findUniqueOrThrow({ where: { id: first.id } })).repositoryId!;
    let r = await call(teamPatch, ownerToken, "PATCH", { id: B.team }, { mcpServers: { lint: { command: "team-lint", env: { LINT_TOKEN: "team-lint-333" } }, search: { url: "https://search.example.com/mcp", headers: { Authorization: "Bearer team-search-444" } } } });
    expect(r.status).toBe(200);
    expect(r.body.mcpServers.servers.map((s) => s.name)).toEqual(["lint", "search"]);
    r = await call(repoPatch, ownerToken, "PATCH", { id: repoId }, { mcpServers: { lint: { command: "repo-lint" } } });
    expect(r.status).toBe(200);
    const read = await call(repoMcpGet, ownerToken, "GET", { id: repoId });
    expect(read.body.inherited.map((s) => s.name)).toEqual(["search"]);

    const { id } = await insertSession(B.team, { repo, prompt: "mcp snapshot" } as never, owner);
    // A later change reaches the next session, not this one.
    await call(teamPatch, ownerToken, "PATCH", { id: B.team }, { mcpServers: { late: { command: "late" } } });
    const configs = new WorkerConfigs();
    await configs.reload(id);
    const config = configs.get(id);
    expect(config.mcpStdio).toEqual([{ name: "lint", command: "repo-lint" }]);
    expect(config.mcpRemote).toEqual(["search"]);
    expect(JSON.stringify(config)).not.toContain("team-search-444");
    expect(JSON.stringify(config)).not.toContain("search.example.com");
  });

  it("gives stdio servers their env values (they run in the sandbox, visible to the agent)", async () => {
    const repo = makeRepo();
    const team = await makeTeam();
    const owner = (await makeMember(team, "owner")).user.id;
    const token = (await createApiToken(owner, team, "owner")).token;
    await call(teamPatch, token, "PATCH", { id: team }, { mcpServers: { docs: { command: "node", args: ["docs.js"], env: { DOCS_KEY: "visible-555" } } } });
    const { id } = await insertSession(team, { repo, prompt: "stdio env" } as never, owner);
    const configs = new WorkerConfigs();
    await configs.reload(id);
    expect(configs.get(id).mcpStdio).toEqual([{ name: "docs", command: "node", args: ["docs.js"], env: { DOCS_KEY: "visible-555" } }]);
  });
});
