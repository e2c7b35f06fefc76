// Another team's owner and a team's own viewers and members against MCP server settings: changes
// refused (404 outside the team, 403 below admin) and leaving the servers as they were, and no read
// a viewer can make (the team, the repository list, the MCP lists) carrying a url or a secret.
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as repoMcpGet } from "../../app/api/repos/[id]/mcp/route";
import { PATCH as repoPatch } from "../../app/api/repos/[id]/route";
import { GET as reposGet } from "../../app/api/repos/route";
import { GET as teamMcpGet } from "../../app/api/teams/[id]/mcp/route";
import { GET as teamGet, PATCH as teamPatch } from "../../app/api/teams/[id]/route";
import type { Role } from "../../lib/auth/roles";
import { createApiToken } from "../../lib/auth/tokens";
import { connectDb, db } from "../../lib/db/client";
import { makeMember, makeTeam } from "../../lib/history/test-fixtures";
import { setRuntime, type Runtime } from "../../lib/runtime/boot";
import { callRoute, type RouteHandler } from "../route-call";

const SECRET = "tenant-secret-9d8c7b6a";
const call = <P>(h: RouteHandler<P>, token: string, method: string, params: P, body?: unknown) => callRoute<unknown, P>(h, token, method, params, body);

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

const server = { url: "https://mcp.example.com/mcp", headers: { Authorization: `Bearer ${SECRET}` } };

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  setRuntime({ orchestrator: undefined, health: async () => ({}) } as unknown as Runtime);
  [A, B] = [await side(), await side()];
  expect((await call(teamPatch, A.tokens.admin, "PATCH", { id: A.team }, { mcpServers: { team: server } })).status).toBe(200);
  expect((await call(repoPatch, A.tokens.admin, "PATCH", { id: A.repo }, { mcpServers: { repo: server } })).status).toBe(200);
});

const stored = async () => {
  const t = await db().team.findUniqueOrThrow({ where: { id: A.team }, select: { mcpServers: true } });
  const r = await db().repository.findUniqueOrThrow({ where: { id: A.repo }, select: { mcpServers: true } });
  return JSON.stringify([t.mcpServers, r.mcpServers]);
};

describe("MCP settings across teams and roles", () => {
  it("refuses another team's owner (404) and A's viewers and members (403), and nothing changes", async () => {
    const before = await stored();
    const evil = { mcpServers: { team: null, repo: null, added: { url: "https://evil.example.com/mcp" } } };
    for (const [token, status] of [
      [B.tokens.owner, 404],
      [A.tokens.viewer, 403],
      [A.tokens.member, 403],
    ] as const) {
      expect((await call(teamPatch, token, "PATCH", { id: A.team }, evil)).status).toBe(status);
      expect((await call(repoPatch, token, "PATCH", { id: A.repo }, evil)).status).toBe(status);
      expect((await call(teamMcpGet, token, "GET", { id: A.team })).status).toBe(status);
      expect((await call(repoMcpGet, token, "GET", { id: A.repo })).status).toBe(status);
    }
    // A kept header value cannot be pointed at another host by anyone, even A's own admin.
    const moved = await call(repoPatch, A.tokens.admin, "PATCH", { id: A.repo }, { mcpServers: { repo: { url: "https://evil.example.com/mcp", headers: { Authorization: null } } } });
    expect(moved.status).toBe(422);
    expect(await stored()).toBe(before);
  });

  it("shows a viewer no MCP url or secret in the team or the repository list, and an admin names only", async () => {
    const team = await call(teamGet, A.tokens.viewer, "GET", { id: A.team });
    const repos = await call(reposGet, A.tokens.viewer, "GET", {});
    expect(team.status).toBe(200);
    expect(repos.status).toBe(200);
    for (const text of [JSON.stringify(team.body), JSON.stringify(repos.body)]) {
      expect(text).not.toContain("mcp.example.com");
      expect(text).not.toContain(SECRET);
    }
    const admin = JSON.stringify((await call(repoMcpGet, A.tokens.admin, "GET", { id: A.repo })).body);
    expect(admin).toContain("Authorization");
    expect(admin).not.toContain(SECRET);
  });
});
