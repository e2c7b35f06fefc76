// Repositories belong to teams, on the real test database and real git repositories: who may
// register, that a local path serves one team only, protection and push tokens on the
// registration, and the per-person limits on starting sessions.
import { beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../test/fixtures";
import { authorize, type Access } from "../auth/authorize";
import type { Role } from "../auth/roles";
import { connectDb, db } from "../db/client";
import { makeTeam, makeUser } from "../history/test-fixtures";
import { credentialEnv } from "../review/credentials";
import { insertSession, newSessionId } from "../sessions/create-session";
import { listRepositories } from "./list-repositories";
import { addRepository } from "./register-repository";
import { removeRepository } from "./remove-repository";
import { assertMayMerge } from "./session-repository";
import { updateRepository } from "./update-repository";

beforeAll(() => void connectDb(process.env.DATABASE_URL!));

async function person(teamId: string, role: Role): Promise<Access> {
  const caller = await makeUser(role);
  await db().member.create({ data: { teamId, userId: caller.user.id, role } });
  return authorize(caller, teamId, "team.read");
}

const start = (a: Access, repo: string) => insertSession(a.teamId, { repo, prompt: "work" }, a.caller.user.id);

describe("registering repositories", () => {
  it("an admin's first session registers the repository; a member is told to ask an admin, then may use it", async () => {
    const team = await makeTeam();
    const [admin, member] = [await person(team, "admin"), await person(team, "member")];
    const repo = makeRepo();
    await expect(start(member, repo)).rejects.toMatchObject({ code: "forbidden", message: "this repository is not registered to your team: ask an admin to add it in Settings → Repositories" });
    expect(await listRepositories(admin)).toEqual([]);

    const { id } = await start(admin, repo);
    const [registered] = await listRepositories(member);
    expect(registered).toMatchObject({ kind: "local", hasPushToken: false, protectedBranches: [] });
    expect((await db().session.findUniqueOrThrow({ where: { id } })).repositoryId).toBe(registered.id);
    expect(await db().auditEntry.count({ where: { teamId: team, action: "repo.registered", targetId: registered.id } })).toBe(1);

    const second = await start(member, repo);
    expect((await db().session.findUniqueOrThrow({ where: { id: second.id } })).repositoryId).toBe(registered.id);
    await expect(addRepository(admin, { repo })).rejects.toMatchObject({ code: "conflict" });
  });

  it("a local path registered to one team can be neither registered nor used by another, and the answer names no team", async () => {
    const [teamA, teamB] = [await makeTeam(), await makeTeam()];
    const ownerA = await person(teamA, "owner");
    const [ownerB, memberB] = [await person(teamB, "owner"), await person(teamB, "member")];
    const repo = makeRepo();
    await addRepository(ownerA, { repo, protectedBranches: ["main"] });
    // One at a time: a rejection no one awaits yet would be an unhandled rejection.
    for (const attempt of [() => addRepository(ownerB, { repo }), () => start(ownerB, repo), () => start(memberB, repo)]) {
      const err = await attempt().catch((e: Error) => e);
      expect(err).toMatchObject({ code: "conflict", message: expect.stringMatching(/registered to another team/) });
      expect((err as Error).message).not.toContain(teamA);
    }
    expect(await listRepositories(ownerB)).toEqual([]);

    // A row team B made before registrations existed still cannot merge into team A's protected main.
    const legacy = { teamId: teamB, repo, repositoryId: null, baseBranch: "main" };
    await expect(assertMayMerge(ownerB, legacy)).rejects.toMatchObject({ code: "conflict", message: expect.stringMatching(/no longer registered to your team/) });
    const memberA = await person(teamA, "member");
    const { id } = await start(memberA, repo);
    const mine = await db().session.findUniqueOrThrow({ where: { id } });
    await expect(assertMayMerge(memberA, mine)).rejects.toMatchObject({ code: "forbidden", message: expect.stringMatching(/main is protected/) });
    await expect(assertMayMerge(ownerA, mine)).resolves.toBeUndefined();
  });

  it("treats a URL with .git, a trailing slash, a default port or upper-case host as the same repository", async () => {
    const team = await makeTeam();
    const admin = await person(team, "admin");
    const row = await db().repository.create({ data: { id: crypto.randomUUID(), teamId: team, kind: "https", location: "https://git.example.com/org/app", source: "https://git.example.com/org/app.git", name: "app" } });
    await updateRepository(admin, row, { pushToken: "tok-123" });
    const env = await credentialEnv(team, "https://git.example.com/org/app.git");
    expect(Buffer.from(env.GIT_CONFIG_VALUE_0.replace("Authorization: Basic ", ""), "base64").toString()).toBe("x-access-token:tok-123");
    expect(await credentialEnv(team, new URL("HTTPS://GIT.example.com:443/org/app/").toString())).toEqual(env);
    expect(await credentialEnv(await makeTeam(), "https://git.example.com/org/app.git")).toEqual({});
    const [dto] = await listRepositories(admin);
    expect(dto.hasPushToken).toBe(true);
    expect(JSON.stringify(dto)).not.toContain("tok-123");
    expect(JSON.stringify(await db().auditEntry.findMany({ where: { teamId: team }, select: { data: true } }))).not.toContain("tok-123");
    await updateRepository(admin, row, { pushToken: null });
    expect(await credentialEnv(team, "https://git.example.com/org/app.git")).toEqual({});
  });

  it("refuses a push token for a local repository", async () => {
    const team = await makeTeam();
    const admin = await person(team, "admin");
    const row = await addRepository(admin, { repo: makeRepo() });
    await expect(updateRepository(admin, row, { pushToken: "x" })).rejects.toMatchObject({ code: "invalid", message: expect.stringMatching(/push tokens are for https/) });
  });

  it("after removal, sessions keep their history, and new sessions and merges wait for a new registration", async () => {
    const team = await makeTeam();
    const [admin, member] = [await person(team, "admin"), await person(team, "member")];
    const repo = makeRepo();
    const row = await addRepository(admin, { repo });
    const { id } = await start(member, repo);
    await removeRepository(admin, row);
    const kept = await db().session.findUniqueOrThrow({ where: { id } });
    expect(kept.repositoryId).toBeNull();
    await expect(assertMayMerge(admin, kept)).rejects.toMatchObject({ code: "conflict" });
    await expect(start(member, repo)).rejects.toMatchObject({ code: "forbidden" });
    await addRepository(admin, { repo });
    await expect(assertMayMerge(admin, kept)).resolves.toBeUndefined();
  });
});

describe("limits on starting sessions", () => {
  async function seed(a: Access, n: number, status: string) {
    for (let i = 0; i < n; i++) {
      const id = newSessionId();
      await db().session.create({ data: { id, teamId: a.teamId, repo: "/srv/x", baseBranch: "main", branch: `dockside/${id.slice(0, 8)}`, prompt: "p", model: "m", status, createdById: a.caller.user.id } });
    }
  }

  it("refuses a ninth active session (429) with the limit and what to do", async () => {
    const team = await makeTeam();
    const admin = await person(team, "admin");
    await seed(admin, 8, "idle");
    await expect(start(admin, makeRepo())).rejects.toMatchObject({ code: "rate_limited", message: expect.stringMatching(/8 active sessions \(the limit is 8 per person\): stop a session/) });
    // Stopped sessions do not count, other people are not affected.
    await db().session.updateMany({ where: { createdById: admin.caller.user.id }, data: { status: "stopped", createdAt: new Date(Date.now() - 120_000) } });
    await expect(start(admin, makeRepo())).resolves.toMatchObject({ id: expect.any(String) });
  });

  it("refuses an eleventh session in a minute (429), counted in the database", async () => {
    const team = await makeTeam();
    const admin = await person(team, "admin");
    await seed(admin, 10, "stopped");
    await expect(start(admin, makeRepo())).rejects.toMatchObject({ code: "rate_limited", message: expect.stringMatching(/10 sessions in the last minute \(the limit is 10 a minute\): wait a minute/) });
    const other = await person(team, "admin");
    await expect(start(other, makeRepo())).resolves.toMatchObject({ id: expect.any(String) });
  });

  it("lets only one of several simultaneous requests take the last free place", async () => {
    const team = await makeTeam();
    const admin = await person(team, "admin");
    const repo = makeRepo();
    await addRepository(admin, { repo });
    await seed(admin, 7, "running");
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => start(admin, repo)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(["rate_limited", "rate_limited", "rate_limited"]);
  });
});
