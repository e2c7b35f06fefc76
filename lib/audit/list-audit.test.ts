// The audit listing on the real test database: newest first, keyset pages, team scoped, targets named.
import { beforeAll, describe, expect, it } from "vitest";
import { connectDb, db } from "../db/client";
import { makeMember, makeSession, makeTeam, rid } from "../history/test-fixtures";
import { AuditQuerySchema, listAudit } from "./list-audit";
import { recordAudit } from "./record";

let team: string;

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  team = await makeTeam();
  const other = await makeTeam();
  for (let i = 0; i < 7; i++) {
    await recordAudit({ teamId: team, actor: { id: "u1", name: "Ada" }, action: "share.created", targetType: "share", targetId: `s${i}`, data: { i } });
  }
  await recordAudit({ teamId: other, actor: null, action: "team.created", targetType: "team", targetId: other });
});

describe("audit listing", () => {
  it("pages newest first without duplicates or gaps, and only the team's entries", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await listAudit(team, AuditQuerySchema.parse({ limit: "3", ...(cursor ? { cursor } : {}) }));
      seen.push(...page.entries.map((e) => e.targetId));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(["s6", "s5", "s4", "s3", "s2", "s1", "s0"]);
    const [first] = (await listAudit(team, AuditQuerySchema.parse({}))).entries;
    expect(first).toMatchObject({ action: "share.created", actorName: "Ada", targetType: "share", data: { i: 6 } });
    expect(first.id).toMatch(/^\d+$/);
  });

  it("refuses a cursor it did not issue", async () => {
    await expect(listAudit(team, AuditQuerySchema.parse({ cursor: "zzz" }))).rejects.toMatchObject({ code: "invalid" });
    const foreign = Buffer.from(JSON.stringify({ t: new Date().toISOString(), id: "abc" })).toString("base64url");
    await expect(listAudit(team, AuditQuerySchema.parse({ cursor: foreign }))).rejects.toMatchObject({ code: "invalid" });
  });
});

describe("audit names", () => {
  it("names the session, repository and member an entry is about, with links, and what a deleted session was", async () => {
    const t = await makeTeam();
    const grace = await makeMember(t, "member", "Grace");
    const session = await makeSession(t, { prompt: "\n  Fix the flaky login test\nand nothing else" });
    const repoId = `r${rid(10)}`;
    await db().repository.create({ data: { id: repoId, teamId: t, kind: "https", location: "https://example.test/acme/web", source: "https://example.test/acme/web", name: "acme/web" } });
    const actor = { id: grace.user.id, name: grace.user.name };
    await recordAudit({ teamId: t, actor, action: "session.started", targetType: "session", targetId: session });
    await recordAudit({ teamId: t, actor, action: "repo.registered", targetType: "repository", targetId: repoId });
    await recordAudit({ teamId: t, actor: null, action: "member.added", targetType: "user", targetId: grace.user.id, data: { role: "member" } });
    await recordAudit({ teamId: t, actor, action: "session.deleted", targetType: "session", targetId: "gone", data: { prompt: "Old experiment", repo: "acme/web" } });

    const { entries } = await listAudit(t, AuditQuerySchema.parse({}));
    const byAction = Object.fromEntries(entries.map((e) => [e.action, e]));
    expect(byAction["session.started"]).toMatchObject({ actorName: grace.user.name, target: { label: "Fix the flaky login test", href: `/sessions/${session}` } });
    expect(byAction["repo.registered"].target).toMatchObject({ label: "acme/web", detail: "https://example.test/acme/web" });
    expect(byAction["member.added"].target).toEqual({ label: grace.user.name, detail: grace.user.email });
    expect(byAction["session.deleted"].target).toEqual({ label: "Old experiment", detail: "acme/web" });
  });

  it("never names another team's session", async () => {
    const mine = await makeTeam();
    const theirs = await makeTeam();
    const secret = await makeSession(theirs, { prompt: "Their secret plan" });
    await recordAudit({ teamId: mine, actor: null, action: "session.stopped", targetType: "session", targetId: secret });
    const [entry] = (await listAudit(mine, AuditQuerySchema.parse({}))).entries;
    expect(entry.target.label).not.toContain("secret");
  });

  it("never names a person or a team outside the team", async () => {
    const mine = await makeTeam();
    const theirs = await makeTeam();
    await db().team.update({ where: { id: theirs }, data: { name: "Their hidden team" } });
    const stranger = await makeMember(theirs, "member", "Stranger Danger");
    await recordAudit({ teamId: mine, actor: null, action: "member.removed", targetType: "user", targetId: stranger.user.id });
    await recordAudit({ teamId: mine, actor: null, action: "team.created", targetType: "team", targetId: theirs });
    const labels = (await listAudit(mine, AuditQuerySchema.parse({}))).entries.map((e) => `${e.target.label} ${e.target.detail ?? ""}`).join("|");
    expect(labels).not.toContain("Stranger");
    expect(labels).not.toContain(stranger.user.email);
    expect(labels).not.toContain("hidden");
  });
});
