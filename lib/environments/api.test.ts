// The HTTP contract of environment settings: the route handlers called with real Requests (API
// tokens, zod at the boundary, roles, another team's ids answered 404, values never read back).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as allEnvironmentsGet } from "../../app/api/environments/route";
import { GET as repoEnvironmentGet } from "../../app/api/repos/[id]/environment/route";
import { DELETE as oneEnvironmentDelete } from "../../app/api/repos/[id]/environments/[envId]/route";
import { DELETE as environmentsDelete, GET as environmentsGet } from "../../app/api/repos/[id]/environments/route";
import { PATCH as repoPatch } from "../../app/api/repos/[id]/route";
import { GET as reposGet } from "../../app/api/repos/route";
import { GET as teamEnvironmentGet } from "../../app/api/teams/[id]/environment/route";
import { PATCH as teamPatch } from "../../app/api/teams/[id]/route";
import { createApiToken } from "../auth/tokens";
import type { Role } from "../auth/roles";
import { env } from "../config/env";
import { connectDb, db } from "../db/client";
import { makeMember, makeTeam, rid } from "../history/test-fixtures";
import { DEFAULT_EGRESS, type EnvironmentList, type RepositoryEnvironmentDto, type TeamEnvironmentDto } from "../protocol/environments";
import { setRuntime, type Runtime } from "../runtime/boot";
import { storeSnapshot } from "./snapshots";
import { callRoute, type RouteHandler } from "../../test/route-call";

const BASE = "http://dockside.test";

/** What the routes here answer: a DTO, a list or an error (the test reads what it expects). */
type Body = { error: { message: string }; environment: RepositoryEnvironmentDto & TeamEnvironmentDto; environments: { id: string }[]; repositories: object[] } & Record<string, unknown>;

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

const message = (b: Body): string => b.error.message;

describe("PATCH /api/repos/:id with environment fields", () => {
  it("lets admins set the script, egress overrides and secrets, and answers with the environment (no values)", async () => {
    const patch = { name: "web", setupScript: "npm ci\n", egress: { agent: "allowlist", allow: ["NPM", "api.example.com", "*.internal.example.com", "npm"] }, secrets: { NPM_TOKEN: "npm-value-123", DEPLOY: { value: "deploy-value-456", agent: true } } };
    const r = await call(repoPatch, A.tokens.admin, "PATCH", { id: A.repo }, patch);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: A.repo, name: "web", hasPushToken: false });
    const environment: RepositoryEnvironmentDto = r.body.environment;
    expect(environment).toMatchObject({
      setupScript: "npm ci\n",
      allowRepoSetupScript: false,
      egress: { agent: "allowlist", allow: ["npm", "api.example.com", "*.internal.example.com"] },
      effectiveEgress: { setup: "allowlist", agent: "allowlist", allow: ["npm", "api.example.com", "*.internal.example.com"] },
    });
    expect(environment.secrets.map(({ name, agent }) => ({ name, agent }))).toEqual([{ name: "DEPLOY", agent: true }, { name: "NPM_TOKEN", agent: false }]);
    expect(JSON.stringify(r.body)).not.toMatch(/npm-value|deploy-value/);

    const read = await call(repoEnvironmentGet, A.tokens.viewer, "GET", { id: A.repo });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(environment);
    expect(JSON.stringify(read.body)).not.toMatch(/npm-value|deploy-value/);
    // The list keeps its shape (the environment is read per repository).
    const list = await call(reposGet, A.tokens.member, "GET", {});
    expect(list.body.repositories[0]).not.toHaveProperty("environment");

    const audit = await db().auditEntry.findMany({ where: { teamId: A.team, targetId: A.repo, action: "repo.updated" } });
    expect(audit.at(-1)?.data).toMatchObject({ setupScript: "set (7 characters)", secrets: { NPM_TOKEN: "set", DEPLOY: "set" } });
    expect(JSON.stringify(audit.map((a) => a.data))).not.toMatch(/npm-value|deploy-value|npm ci/);

    // Removing: an empty script and null egress go back to none and the team's default.
    const cleared = await call(repoPatch, A.tokens.owner, "PATCH", { id: A.repo }, { setupScript: "", egress: null, secrets: { NPM_TOKEN: null } });
    expect(cleared.body.environment).toMatchObject({ setupScript: null, egress: {}, effectiveEgress: DEFAULT_EGRESS });
    expect(cleared.body.environment.secrets.map((s) => s.name)).toEqual(["DEPLOY"]);
  });

  it("answers 422 naming the field for bad input", async () => {
    const cases: [unknown, RegExp][] = [
      [{ egress: { allow: ["http://x"] } }, /^egress\.allow\.0: "http:\/\/x" is not a domain \(example\.com\), a \*\.suffix pattern/],
      [{ egress: { agent: "everything" } }, /^egress\.agent: /],
      [{ egress: { proxy: "x" } }, /^egress: /],
      [{ secrets: { "1BAD": "value" } }, /^secrets\.1BAD: a secret's name is an environment variable name/],
      [{ secrets: { PATH: "value" } }, /^secrets\.PATH: PATH is reserved by the sandbox/],
      [{ secrets: { NEW_ONE: { agent: true } } }, /^secrets\.NEW_ONE: this repository has no secret NEW_ONE to change; give its value to create it/],
      [{ secrets: { EMPTY: "" } }, /^secrets\.EMPTY/],
      [{ setupScript: "x".repeat(64 * 1024 + 1) }, /^setupScript: a setup script is limited to 64 KiB/],
      [{ setupScript: "echo \u0000" }, /^setupScript: contains a NUL character/],
    ];
    for (const [body, want] of cases) {
      const r = await call(repoPatch, A.tokens.admin, "PATCH", { id: A.repo }, body);
      expect(`${JSON.stringify(body).slice(0, 60)} ${r.status} ${message(r.body)}`).toMatch(new RegExp(` 422 ${want.source.replace(/^\^/, "")}`));
    }
  });

  it("is for admins and owners of the repository's team: members and viewers 403, another team 404", async () => {
    for (const role of ["member", "viewer"] as const) {
      expect((await call(repoPatch, A.tokens[role], "PATCH", { id: A.repo }, { secrets: { X_TOKEN: "value" } })).status).toBe(403);
    }
    expect((await call(repoPatch, B.tokens.owner, "PATCH", { id: A.repo }, { secrets: { X_TOKEN: "value" } })).status).toBe(404);
    expect((await call(repoEnvironmentGet, B.tokens.owner, "GET", { id: A.repo })).status).toBe(404);
    expect(await db().secret.count({ where: { name: "X_TOKEN" } })).toBe(0);
  });
});

describe("the team's environment defaults", () => {
  it("PATCH /api/teams/:id sets egress, repository scripts and team secrets; GET .../environment reads them", async () => {
    const patch = { egress: { setup: "open", allow: ["pypi"] }, allowRepoSetupScript: true, secrets: { TEAM_TOKEN: { value: "team-value-789", agent: true } } };
    expect((await call(teamPatch, A.tokens.member, "PATCH", { id: A.team }, patch)).status).toBe(403);
    expect((await call(teamPatch, B.tokens.owner, "PATCH", { id: A.team }, patch)).status).toBe(404);
    const r = await call(teamPatch, A.tokens.admin, "PATCH", { id: A.team }, patch);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: A.team, role: "admin" });
    const environment: TeamEnvironmentDto = r.body.environment;
    expect(environment).toMatchObject({ egress: { setup: "open", allow: ["pypi"] }, effectiveEgress: { setup: "open", agent: "none", allow: ["pypi"] }, allowRepoSetupScript: true });
    expect(environment.secrets).toEqual([{ name: "TEAM_TOKEN", agent: true, updatedAt: expect.any(String) }]);
    expect(JSON.stringify(r.body)).not.toContain("team-value");

    const read = await call(teamEnvironmentGet, A.tokens.viewer, "GET", { id: A.team });
    expect(read).toEqual({ status: 200, body: environment });
    expect((await call(teamEnvironmentGet, B.tokens.owner, "GET", { id: A.team })).status).toBe(404);

    // The repository's overrides go over the team's default, field by field.
    await call(repoPatch, A.tokens.admin, "PATCH", { id: A.repo }, { egress: { agent: "allowlist" } });
    const repoEnv = await call(repoEnvironmentGet, A.tokens.member, "GET", { id: A.repo });
    expect(repoEnv.body).toMatchObject({ allowRepoSetupScript: true, egress: { agent: "allowlist" }, effectiveEgress: { setup: "open", agent: "allowlist", allow: ["pypi"] } });

    const audit = await db().auditEntry.findFirstOrThrow({ where: { teamId: A.team, action: "team.updated" }, orderBy: { id: "desc" } });
    expect(audit.data).toMatchObject({ allowRepoSetupScript: true, secrets: { TEAM_TOKEN: "set" } });
    expect(JSON.stringify(audit.data)).not.toContain("team-value");

    const bad = await call(teamPatch, A.tokens.admin, "PATCH", { id: A.team }, { egress: { allow: ["https://pypi.org/simple"] } });
    expect(bad.status).toBe(422);
    expect(message(bad.body)).toMatch(/^egress\.allow\.0: "https:\/\/pypi\.org\/simple" is not a domain/);
    const missing = await call(teamPatch, A.tokens.admin, "PATCH", { id: A.team }, { name: "renamed", secrets: { NOPE: { agent: false } } });
    expect(missing.status).toBe(422);
    expect(message(missing.body)).toMatch(/^secrets\.NOPE: the team has no secret NOPE/);
    // Nothing of a refused patch is applied.
    expect((await db().team.findUniqueOrThrow({ where: { id: A.team } })).name).not.toBe("renamed");
  });
});

describe("cached environments", () => {
  async function cached(s: Side): Promise<string> {
    const id = rid(20);
    await db().session.create({ data: { id, teamId: s.team, repo: "https://git.example.com/x", baseBranch: "main", branch: `dockside/${id.slice(0, 8)}`, prompt: "p", model: "m", status: "running", repositoryId: s.repo } });
    const key = crypto.randomBytes(32).toString("hex");
    const file = path.join(env().dataDir, `api-test-${key}.tar`);
    fs.writeFileSync(file, "tar");
    return (await storeSnapshot(id, key, 10, file, { key, basis: "commit 1234567" }))!.id;
  }

  it("are listed to members, deleted by admins and owners, and invisible to other teams", async () => {
    const [one, two] = [await cached(A), await cached(A)];
    const theirs = await cached(B);
    const list = await call(environmentsGet, A.tokens.viewer, "GET", { id: A.repo });
    expect(list.status).toBe(200);
    expect((list.body as unknown as EnvironmentList).environments.map((e) => e.id).sort()).toEqual([one, two].sort());
    expect(list.body).toMatchObject({ totalBytes: 6, limitBytes: env().DOCKSIDE_ENV_CACHE_GB * 1024 ** 3 });
    const all = await call(allEnvironmentsGet, A.tokens.member, "GET", {});
    expect((all.body as unknown as EnvironmentList).environments.map((e) => e.id).sort()).toEqual([one, two].sort());
    expect((await call(environmentsGet, B.tokens.owner, "GET", { id: A.repo })).status).toBe(404);

    expect((await call(oneEnvironmentDelete, A.tokens.member, "DELETE", { id: A.repo, envId: one })).status).toBe(403);
    expect((await call(environmentsDelete, A.tokens.viewer, "DELETE", { id: A.repo })).status).toBe(403);
    expect((await call(oneEnvironmentDelete, B.tokens.owner, "DELETE", { id: A.repo, envId: one })).status).toBe(404);
    // Another team's environment under one's own repository: not found.
    expect((await call(oneEnvironmentDelete, A.tokens.admin, "DELETE", { id: A.repo, envId: theirs })).status).toBe(404);
    expect((await call(oneEnvironmentDelete, A.tokens.admin, "DELETE", { id: A.repo, envId: "../../x" })).status).toBe(404);
    expect(await call(oneEnvironmentDelete, A.tokens.admin, "DELETE", { id: A.repo, envId: one })).toEqual({ status: 200, body: { deleted: 1 } });
    expect(await call(environmentsDelete, A.tokens.owner, "DELETE", { id: A.repo })).toEqual({ status: 200, body: { deleted: 1 } });
    expect((await call(allEnvironmentsGet, A.tokens.member, "GET", {})).body.environments).toEqual([]);
    expect((await call(allEnvironmentsGet, B.tokens.member, "GET", {})).body.environments.map((e) => e.id)).toEqual([theirs]);
  });
});
