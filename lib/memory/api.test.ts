// The memory API's contract: the route handlers called with real Requests and API tokens (zod at
// the boundary, roles, another team's entries and proposals answered 404, secrets refused 422).
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as entryGet, PATCH as entryPatch } from "../../app/api/memory/[id]/route";
import { POST as proposalPost } from "../../app/api/memory/proposals/[id]/route";
import { GET as memoryGet, POST as memoryPost } from "../../app/api/memory/route";
import type { RouteHandler } from "../../test/route-call";
import { createApiToken } from "../auth/tokens";
import type { Role } from "../auth/roles";
import { connectDb, db } from "../db/client";
import { makeMember, makeTeam } from "../history/test-fixtures";
import type { MemoryEntryDto, MemoryList, MemoryProposalDto, MemoryVersionDto } from "../protocol/memory";
import { setRuntime, type Runtime } from "../runtime/boot";

type Body = MemoryEntryDto & MemoryList & MemoryProposalDto & { entry: MemoryEntryDto; versions: MemoryVersionDto[]; error: { code: string; message: string } };

async function call<P>(handler: RouteHandler<P>, token: string, method: string, params: P, body?: unknown, query: Record<string, string> = {}): Promise<{ status: number; body: Body }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const url = `http://dockside.test/api/memory?${new URLSearchParams(query)}`;
  const res = await handler(new Request(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }), { params: Promise.resolve(params) });
  return { status: res.status, body: (await res.json()) as Body };
}

interface Side {
  team: string;
  repo: string;
  location: string;
  tokens: Record<Role, string>;
}
let A: Side;
let B: Side;

async function side(): Promise<Side> {
  const team = await makeTeam();
  const tokens = {} as Record<Role, string>;
  for (const role of ["owner", "admin", "member", "viewer"] as const) tokens[role] = (await createApiToken((await makeMember(team, role, `${role}`)).user.id, team, role)).token;
  const repo = crypto.randomUUID();
  const location = `https://git.example.com/${repo}`;
  await db().repository.create({ data: { id: repo, teamId: team, kind: "https", location, source: `${location}.git`, name: "app" } });
  return { team, repo, location, tokens };
}

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  setRuntime({ orchestrator: undefined, health: async () => ({}) } as unknown as Runtime);
  [A, B] = [await side(), await side()];
});

describe("without credentials", () => {
  it("answers 401 on every memory route", async () => {
    const anon = async <P>(handler: RouteHandler<P>, method: string, params: P) =>
      (await handler(new Request("http://dockside.test/api/memory", { method, headers: { "content-type": "application/json" }, body: method === "GET" ? undefined : "{}" }), { params: Promise.resolve(params) })).status;
    const id = crypto.randomUUID();
    expect([await anon(memoryGet, "GET", {}), await anon(memoryPost, "POST", {}), await anon(entryGet, "GET", { id }), await anon(entryPatch, "PATCH", { id }), await anon(proposalPost, "POST", { id })]).toEqual([401, 401, 401, 401, 401]);
  });
});

describe("POST /api/memory", () => {
  it("writes an accepted entry for a repository (by id, location or clone URL) or the whole team", async () => {
    const byId = await call(memoryPost, A.tokens.member, "POST", {}, { repo: A.repo, text: "  Run the tests with `npm run check`  " });
    expect(byId.status).toBe(201);
    expect(byId.body).toMatchObject({ repoId: A.repo, repo: A.location, text: "Run the tests with `npm run check`", state: "accepted", version: 1, source: { sessionId: null, turn: null, by: expect.stringMatching(/^member /) } });
    const byLocation = await call(memoryPost, A.tokens.member, "POST", {}, { repo: `${A.location}.git`, text: "Migrations live in prisma/migrations" });
    expect(byLocation.body.repoId).toBe(A.repo);
    const team = await call(memoryPost, A.tokens.admin, "POST", {}, { text: "We write British English in the docs" });
    expect(team.status).toBe(201);
    expect(team.body).toMatchObject({ repoId: null, repo: null, state: "accepted" });

    const audit = await db().auditEntry.findMany({ where: { teamId: A.team, action: "memory.written" } });
    expect(audit.map((a) => a.targetId)).toEqual(expect.arrayContaining([byId.body.id, team.body.id]));
  });

  it("answers 403 to viewers, 422 to bad input and secrets, 404 to a repository of another team", async () => {
    expect((await call(memoryPost, A.tokens.viewer, "POST", {}, { text: "viewers read only" })).status).toBe(403);
    const empty = await call(memoryPost, A.tokens.member, "POST", {}, { text: "   " });
    expect(empty.status).toBe(422);
    expect(empty.body.error.message).toMatch(/text is required/);
    expect((await call(memoryPost, A.tokens.member, "POST", {}, { text: "x".repeat(2001) })).status).toBe(422);
    expect((await call(memoryPost, A.tokens.member, "POST", {}, { text: "ok", extra: 1 })).status).toBe(422);
    const secret = await call(memoryPost, A.tokens.member, "POST", {}, { text: "the CI database is postgres://ci:Sup3rS3cret@db.internal/ci" });
    expect(secret.status).toBe(422);
    expect(secret.body.error.message).toMatch(/^memory never stores credentials: this looks like a connection string with a password/);
    const foreign = await call(memoryPost, A.tokens.member, "POST", {}, { repo: B.repo, text: "not theirs" });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.message).toMatch(/is not registered in your team/);
    expect((await call(memoryPost, A.tokens.member, "POST", {}, { repo: B.location, text: "not theirs" })).status).toBe(404);
    expect(await db().memoryEntry.count({ where: { teamId: A.team, text: { in: ["not theirs", "viewers read only"] } } })).toBe(0);
  });
});

describe("GET /api/memory", () => {
  it("lists the caller's team only, filtered by repository, team-wide, state and a search", async () => {
    const mine = await call(memoryPost, A.tokens.member, "POST", {}, { repo: A.repo, text: "Install with `pnpm install --frozen-lockfile`" });
    const theirs = await call(memoryPost, B.tokens.member, "POST", {}, { repo: B.repo, text: "Install with `pnpm install --frozen-lockfile` too" });
    const all = await call(memoryGet, A.tokens.viewer, "GET", {});
    expect(all.status).toBe(200);
    const ids = all.body.entries.map((e) => e.id);
    expect(ids).toContain(mine.body.id);
    expect(ids).not.toContain(theirs.body.id);

    const byRepo = await call(memoryGet, A.tokens.viewer, "GET", {}, undefined, { repo: A.location });
    expect(byRepo.body.entries.every((e) => e.repoId === A.repo)).toBe(true);
    const teamWide = await call(memoryGet, A.tokens.viewer, "GET", {}, undefined, { repo: "team" });
    expect(teamWide.body.entries.length).toBeGreaterThan(0);
    expect(teamWide.body.entries.every((e) => e.repoId === null)).toBe(true);

    const flag = await call(memoryGet, A.tokens.viewer, "GET", {}, undefined, { q: "--frozen-lockfile" });
    expect(flag.body.entries.map((e) => e.id)).toEqual([mine.body.id]);
    const proposed = await call(memoryGet, A.tokens.viewer, "GET", {}, undefined, { state: "proposed" });
    expect(proposed.body.entries).toEqual([]);

    expect((await call(memoryGet, A.tokens.viewer, "GET", {}, undefined, { repo: B.repo })).status).toBe(404);
    expect((await call(memoryGet, A.tokens.viewer, "GET", {}, undefined, { state: "lost" })).status).toBe(422);
    expect((await call(memoryGet, A.tokens.viewer, "GET", {}, undefined, { limit: "0" })).status).toBe(422);
  });
});

describe("GET and PATCH /api/memory/:id", () => {
  it("reads an entry with its versions and changes it as a member; another team gets 404, a viewer 403", async () => {
    const created = await call(memoryPost, A.tokens.member, "POST", {}, { repo: A.repo, text: "Deploys go through `make deploy`" });
    const id = created.body.id;
    const edited = await call(entryPatch, A.tokens.admin, "PATCH", { id }, { text: "Deploys go through `make deploy` from main only" });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id, version: 2, state: "accepted", text: "Deploys go through `make deploy` from main only" });
    const archived = await call(entryPatch, A.tokens.member, "PATCH", { id }, { state: "archived" });
    expect(archived.body).toMatchObject({ version: 3, state: "archived" });

    const read = await call(entryGet, A.tokens.viewer, "GET", { id });
    expect(read.status).toBe(200);
    expect(read.body.entry.id).toBe(id);
    expect(read.body.versions.map((v) => [v.version, v.note, v.state, v.author?.split(" ")[0]])).toEqual([
      [3, "archived", "archived", "member"],
      [2, "edited", "accepted", "admin"],
      [1, "written", "accepted", "member"],
    ]);

    expect((await call(entryGet, B.tokens.owner, "GET", { id })).status).toBe(404);
    const foreignPatch = await call(entryPatch, B.tokens.owner, "PATCH", { id }, { state: "accepted" });
    expect(foreignPatch.status).toBe(404);
    expect(foreignPatch.body.error.message).toBe("memory entry not found");
    expect((await call(entryPatch, A.tokens.viewer, "PATCH", { id }, { state: "accepted" })).status).toBe(403);
    expect((await call(entryGet, A.tokens.viewer, "GET", { id: "not-an-id" })).status).toBe(404);
    expect((await call(entryPatch, A.tokens.member, "PATCH", { id }, {})).status).toBe(422);
    expect((await call(entryPatch, A.tokens.member, "PATCH", { id }, { state: "proposed" })).status).toBe(422);
    const secret = await call(entryPatch, A.tokens.member, "PATCH", { id }, { text: `use npm_${"aB3dE5fG7h".repeat(4).slice(0, 36)}` });
    expect(secret.status).toBe(422);
    expect(secret.body.error.message).toMatch(/npm token/);
    const rejected = await call(entryPatch, A.tokens.member, "PATCH", { id }, { state: "rejected" });
    expect(rejected.status).toBe(409);
    expect(rejected.body.error.message).toMatch(/only a proposed entry can be rejected/);
    expect((await call(entryGet, A.tokens.viewer, "GET", { id })).body.entry.version).toBe(3);
  });
});

describe("POST /api/memory/proposals/:id", () => {
  it("decides a proposal of the caller's team only", async () => {
    const one = await call(memoryPost, A.tokens.member, "POST", {}, { repo: A.repo, text: "The staging deploy broke yesterday" });
    const proposal = await db().memoryProposal.create({
      data: { id: crypto.randomUUID(), teamId: A.team, repositoryId: A.repo, kind: "rewrite", entryIds: [one.body.id], text: "The staging deploy broke on 2026-11-29", reason: '"yesterday" made absolute' },
    });
    expect((await call(proposalPost, B.tokens.owner, "POST", { id: proposal.id }, { decision: "accept" })).status).toBe(404);
    expect((await call(proposalPost, A.tokens.viewer, "POST", { id: proposal.id }, { decision: "accept" })).status).toBe(403);
    expect((await call(proposalPost, A.tokens.member, "POST", { id: proposal.id }, { decision: "maybe" })).status).toBe(422);
    const listed = await call(memoryGet, A.tokens.viewer, "GET", {}, undefined, { repo: A.repo });
    expect(listed.body.proposals.map((p) => p.id)).toContain(proposal.id);

    const accepted = await call(proposalPost, A.tokens.member, "POST", { id: proposal.id }, { decision: "accept" });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ id: proposal.id, state: "accepted", kind: "rewrite" });
    expect((await call(entryGet, A.tokens.viewer, "GET", { id: one.body.id })).body.entry).toMatchObject({ text: "The staging deploy broke on 2026-11-29", version: 2 });
    expect((await call(proposalPost, A.tokens.member, "POST", { id: proposal.id }, { decision: "reject" })).status).toBe(409);
    expect((await call(memoryGet, A.tokens.viewer, "GET", {}, undefined, { repo: A.repo })).body.proposals.map((p) => p.id)).not.toContain(proposal.id);
  });
});
