// Secrets on the real test database: sealed at rest, read back by name only, the repository's
// over the team's, the agent flag, and masking of their values.
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { authorize, type Access } from "../auth/authorize";
import { connectDb, db } from "../db/client";
import { makeMember, makeTeam } from "../history/test-fixtures";
import { maskDeep, maskSecrets } from "./mask";
import { listSecrets, sessionSecrets, updateSecrets } from "./secrets";

beforeAll(() => void connectDb(process.env.DATABASE_URL!));

async function world(): Promise<{ admin: Access; repo: string; other: string }> {
  const team = await makeTeam();
  const admin = await authorize(await makeMember(team, "admin"), team, "team.read");
  const repo = crypto.randomUUID();
  const other = crypto.randomUUID();
  for (const id of [repo, other]) await db().repository.create({ data: { id, teamId: team, kind: "https", location: `https://git.example.com/${id}`, source: `https://git.example.com/${id}.git`, name: "app" } });
  return { admin, repo, other };
}

describe("secrets", () => {
  it("are sealed at rest and read back by name and flag only; the audit says set or deleted", async () => {
    const { admin, repo } = await world();
    const value = "npm_tok-7f3a9c1e2b";
    await updateSecrets(admin, repo, { NPM_TOKEN: value, DEPLOY_KEY: { value: "deploy-secret-xyz", agent: true } });
    const raw = await db().$queryRaw<{ sealed: string }[]>`SELECT sealed FROM secrets WHERE repository_id = ${repo}`;
    expect(raw).toHaveLength(2);
    for (const r of raw) {
      expect(r.sealed).not.toContain(value);
      expect(r.sealed).not.toContain("deploy-secret");
    }
    const listed = await listSecrets(admin.teamId, repo);
    expect(listed.map(({ name, agent }) => ({ name, agent }))).toEqual([
      { name: "DEPLOY_KEY", agent: true },
      { name: "NPM_TOKEN", agent: false },
    ]);
    expect(JSON.stringify(listed)).not.toMatch(/npm_tok|deploy-secret/);
    expect(await listSecrets(admin.teamId, null)).toEqual([]);

    await updateSecrets(admin, repo, { NPM_TOKEN: null });
    expect((await listSecrets(admin.teamId, repo)).map((s) => s.name)).toEqual(["DEPLOY_KEY"]);
    const audit = await db().auditEntry.findMany({ where: { teamId: admin.teamId, targetId: repo }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.data)).toEqual([{ secrets: { NPM_TOKEN: "set", DEPLOY_KEY: "set" } }, { secrets: { NPM_TOKEN: "deleted" } }]);
    expect(JSON.stringify(audit.map((a) => a.data))).not.toMatch(/npm_tok|deploy-secret/);
  });

  it("gives a session the team's secrets overridden by its repository's, with the agent flag", async () => {
    const { admin, repo, other } = await world();
    await updateSecrets(admin, null, { SHARED: "team-value-1", TEAM_ONLY: { value: "team-only-2", agent: true } });
    await updateSecrets(admin, repo, { SHARED: { value: "repo-value-3", agent: true }, REPO_ONLY: "repo-only-4" });
    expect(await sessionSecrets(admin.teamId, repo)).toEqual([
      { name: "REPO_ONLY", value: "repo-only-4", agent: false },
      { name: "SHARED", value: "repo-value-3", agent: true },
      { name: "TEAM_ONLY", value: "team-only-2", agent: true },
    ]);
    expect(await sessionSecrets(admin.teamId, other)).toEqual([
      { name: "SHARED", value: "team-value-1", agent: false },
      { name: "TEAM_ONLY", value: "team-only-2", agent: true },
    ]);
    expect(await sessionSecrets(admin.teamId, null)).toHaveLength(2);
    // Another team sees none of them.
    expect(await sessionSecrets(await makeTeam(), null)).toEqual([]);
  });

  it("changes the flag alone, resets it with a bare value, and refuses a flag for a secret that does not exist", async () => {
    const { admin, repo } = await world();
    await updateSecrets(admin, repo, { TOKEN: "first-value" });
    expect(await updateSecrets(admin, repo, { TOKEN: { agent: true } })).toEqual({ TOKEN: "agent on" });
    expect(await sessionSecrets(admin.teamId, repo)).toEqual([{ name: "TOKEN", value: "first-value", agent: true }]);
    await updateSecrets(admin, repo, { TOKEN: { value: "second-value" } });
    expect(await sessionSecrets(admin.teamId, repo)).toEqual([{ name: "TOKEN", value: "second-value", agent: true }]);
    // A bare value is for the setup only: the agent flag goes back to false unless given.
    await updateSecrets(admin, repo, { TOKEN: "third-value" });
    expect(await sessionSecrets(admin.teamId, repo)).toEqual([{ name: "TOKEN", value: "third-value", agent: false }]);

    const err = await updateSecrets(admin, repo, { MISSING: { agent: true }, TOKEN: null }).catch((e: Error) => e);
    expect(err).toMatchObject({ code: "invalid", message: expect.stringMatching(/^secrets\.MISSING: this repository has no secret MISSING to change; give its value/) });
    // Nothing of a refused patch is applied.
    expect((await listSecrets(admin.teamId, repo)).map((s) => s.name)).toEqual(["TOKEN"]);
    await expect(updateSecrets(admin, await makeTeamRepo(), { X_KEY: "value" })).rejects.toMatchObject({ code: "not_found" });
  });
});

const makeTeamRepo = async () => {
  const id = crypto.randomUUID();
  const team = await makeTeam();
  await db().repository.create({ data: { id, teamId: team, kind: "https", location: `https://git.example.com/${id}`, source: `https://git.example.com/${id}`, name: "x" } });
  return id;
};

describe("masking", () => {
  it("replaces every occurrence of each value of 4 characters or more, longest first", () => {
    expect(maskSecrets("token=abcd1234 again abcd1234 and abcd", ["abcd", "abcd1234", "no"])).toBe("token=*** again *** and ***");
    expect(maskSecrets("a.b*c a.b*c", ["a.b*c"])).toBe("*** ***");
    expect(maskSecrets("yes no", ["yes", ""])).toBe("yes no");
    expect(maskSecrets("nothing", [])).toBe("nothing");
  });

  it("masks every string inside objects and arrays, keeping keys and other values", () => {
    const masked = maskDeep({ output: "key s3cret!", list: ["s3cret!", 4, null], nested: { s3cret: "x s3cret! y", ok: true } }, ["s3cret!"]);
    expect(masked).toEqual({ output: "key ***", list: ["***", 4, null], nested: { s3cret: "x *** y", ok: true } });
  });
});
