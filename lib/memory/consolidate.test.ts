// Consolidation: the pure proposals (duplicates, contradictions, relative dates) with fixed dates,
// then on PostgreSQL: which repositories are due, the job writing proposals once, and a person
// accepting or rejecting each kind (applied as versions; stale proposals refused).
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Access } from "../auth/authorize";
import { connectDb, db } from "../db/client";
import { sendJob } from "../jobs/boss";
import { makeMember, makeSession, makeTeam } from "../history/test-fixtures";
import { contradicts, duplicates, mergedText, proposalsFor, type ConsolidationEntry } from "./consolidate";
import { consolidateRepository, dueRepositories } from "./consolidate-repository";
import { absoluteDates } from "./dates";
import { getEntry, patchEntry } from "./entries";
import { MEMORY_JOBS } from "./jobs";
import { decideProposal } from "./proposals";

const at = (iso: string) => new Date(iso);
let n = 0;
const entry = (text: string, createdAt = "2026-11-20T10:00:00Z", more: Partial<ConsolidationEntry> = {}): ConsolidationEntry => ({
  id: `e${++n}`,
  text,
  state: "accepted",
  createdAt: at(createdAt),
  sourceSessionId: `s${n}`,
  createdByName: null,
  ...more,
});

describe("relative dates", () => {
  const written = at("2026-11-30T16:20:00Z"); // a Monday
  it.each([
    ["the deploy broke yesterday", "the deploy broke on 2026-11-29"],
    ["Yesterday the deploy broke", "On 2026-11-29 the deploy broke"],
    ["the cache was cleared today", "the cache was cleared on 2026-11-30"],
    ["the freeze starts tomorrow", "the freeze starts on 2026-12-01"],
    ["CI has been red since yesterday", "CI has been red since 2026-11-29"],
    ["we moved to pnpm last week", "we moved to pnpm in the week of 2026-11-23"],
    ["the API changes next week", "the API changes in the week of 2026-12-07"],
    ["this week the runners are slow", "in the week of 2026-11-30 the runners are slow"],
    ["the outage was last month", "the outage was in October 2026"],
    ["the migration ran this morning", "the migration ran on the morning of 2026-11-30"],
    ["the vendor upgraded last Friday", "the vendor upgraded on 2026-11-27"],
    ["the vendor upgrades next Monday", "the vendor upgrades on 2026-12-07"],
    ["we switched last Monday", "we switched on 2026-11-23"],
    ["flaky recently, and `git log --since=yesterday` shows why", "flaky recently, and `git log --since=yesterday` shows why"],
    ["today's build numbers are in the dashboard", "today's build numbers are in the dashboard"],
  ])("%s → %s", (text, want) => {
    expect(absoluteDates(text, written)).toBe(want);
  });
});

describe("proposalsFor", () => {
  it("archives an entry a later one changed the command of, and one a later entry says is no longer true", () => {
    const npm = entry("Run the tests with `npm test`", "2026-11-01T09:00:00Z");
    const pnpm = entry("Run the tests with `pnpm test`", "2026-11-20T09:00:00Z", { sourceSessionId: "sess42" });
    expect(contradicts(npm, pnpm)).toBe(true);
    expect(contradicts(npm, entry("Run the tests with `npm test` (add `npm run test:watch` while editing)"))).toBe(false);
    const deploy = entry("Deploy with `make deploy` from a laptop", "2026-11-02T09:00:00Z");
    const gone = entry("`make deploy` is no longer used: deploys run in GitHub Actions", "2026-11-25T09:00:00Z", { sourceSessionId: null, createdByName: "Grace" });
    const build = entry("Build with `npm run build`", "2026-11-03T09:00:00Z");
    expect(proposalsFor([pnpm, npm, deploy, gone, build])).toEqual([
      { kind: "archive", entryIds: [npm.id], text: null, reason: "contradicted by a later entry from session sess42 (2026-11-20)" },
      { kind: "archive", entryIds: [deploy.id], text: null, reason: "contradicted by a later entry from Grace (2026-11-25)" },
    ]);
  });

  it("merges entries that say the same thing, into the accepted one, joining what each adds", () => {
    const a = entry("Use `pnpm install --frozen-lockfile` in CI", "2026-11-01T09:00:00Z", { state: "proposed" });
    const b = entry("In CI, use `pnpm install --frozen-lockfile`.", "2026-11-02T09:00:00Z");
    const c = entry("Use `pnpm install --frozen-lockfile` in CI; it fails when package.json and the lockfile disagree", "2026-11-03T09:00:00Z", { state: "proposed" });
    expect(duplicates(a, b)).toBe(true);
    expect(duplicates(a, c)).toBe(true);
    expect(duplicates(a, entry("Use `pnpm` for everything"))).toBe(false);
    const [merge] = proposalsFor([a, b, c]);
    expect(merge).toEqual({ kind: "merge", entryIds: [b.id, a.id, c.id], text: c.text, reason: "these say the same thing" });
    expect(mergedText(["Node 20 is required for the build scripts", "The build scripts require Node 20 and Python 3"])).toBe("The build scripts require Node 20 and Python 3");
    expect(mergedText(["Postgres runs on port 5433 locally in the dev setup", "In the dev setup Postgres runs locally on port 5433, started by docker compose"])).toBe(
      "In the dev setup Postgres runs locally on port 5433, started by docker compose",
    );
    expect(mergedText(["The API server listens on port 4000 locally with hot reload", "The API server listens locally on port 4000, behind nginx"])).toBe(
      "The API server listens on port 4000 locally with hot reload\nThe API server listens locally on port 4000, behind nginx",
    );
  });

  it("rewrites relative dates from when each entry was written, and leaves the rest alone", () => {
    const broke = entry("The staging deploy broke yesterday", "2026-11-30T08:00:00Z");
    const fine = entry("Staging is reset every night");
    const vague = entry("The search got slow recently");
    expect(proposalsFor([broke, fine, vague])).toEqual([{ kind: "rewrite", entryIds: [broke.id], text: "The staging deploy broke on 2026-11-29", reason: '"yesterday" made absolute from when it was written (2026-11-30)' }]);
  });

  it("looks at proposed and accepted entries only", () => {
    expect(proposalsFor([entry("The deploy broke yesterday", undefined, { state: "archived" }), entry("The deploy broke yesterday", undefined, { state: "rejected" })])).toEqual([]);
  });
});

describe("consolidation on the database", () => {
  let team: string;
  let repo: string;
  let person: Access;

  async function write(text: string, opts: { state?: string; repositoryId?: string | null; session?: string | null } = {}): Promise<string> {
    const id = crypto.randomUUID();
    const state = opts.state ?? "accepted";
    await db().memoryEntry.create({ data: { id, teamId: team, repositoryId: opts.repositoryId === undefined ? repo : opts.repositoryId, text, state, sourceSessionId: opts.session ?? null } });
    await db().memoryVersion.create({ data: { id: crypto.randomUUID(), entryId: id, version: 1, text, state, note: state === "proposed" ? "proposed" : "written" } });
    return id;
  }

  beforeAll(async () => {
    connectDb(process.env.DATABASE_URL!);
    team = await makeTeam();
    repo = crypto.randomUUID();
    await db().repository.create({ data: { id: repo, teamId: team, kind: "https", location: `https://git.example.com/${repo}`, source: `https://git.example.com/${repo}`, name: "app" } });
    person = { caller: await makeMember(team, "member", "Reviewer"), teamId: team, role: "member" };
  });

  it("is due after enough sessions, writes each proposal once, and a person applies or rejects them", async () => {
    const oldNpm = await write("Run the tests with `npm test`");
    const newPnpm = await write("Run the tests with `pnpm test`", { state: "proposed", session: "sessnew" });
    const dupA = await write("Lint with `pnpm lint` before pushing");
    const dupB = await write("Before pushing, lint with `pnpm lint`.", { state: "proposed" });
    const dated = await write("The staging deploy broke yesterday");
    const teamDated = await write("The office moved last week", { repositoryId: null });
    // created_at is when consolidation computes dates from: pin them.
    await db().memoryEntry.update({ where: { id: oldNpm }, data: { createdAt: at("2026-11-01T09:00:00Z") } });
    await db().memoryEntry.update({ where: { id: newPnpm }, data: { createdAt: at("2026-11-20T09:00:00Z") } });
    await db().memoryEntry.update({ where: { id: dated }, data: { createdAt: at("2026-11-30T09:00:00Z") } });
    await db().memoryEntry.update({ where: { id: teamDated }, data: { createdAt: at("2026-11-30T09:00:00Z") } });

    // Four sessions are not enough (the default is five); the fifth makes it due.
    for (let i = 0; i < 4; i++) await db().session.update({ where: { id: await makeSession(team) }, data: { repositoryId: repo } });
    expect(await dueRepositories()).not.toContain(repo);
    await db().session.update({ where: { id: await makeSession(team) }, data: { repositoryId: repo } });
    expect(await dueRepositories()).toContain(repo);

    // The scheduled job queues one consolidation per due repository; without pg-boss it runs here.
    const due = MEMORY_JOBS.find((j) => j.name === "memory.consolidate-due")!;
    expect(due.schedule).toBe("*/10 * * * *");
    await due.handler({});
    expect(await dueRepositories()).not.toContain(repo);
    expect((await db().repository.findUniqueOrThrow({ where: { id: repo } })).memoryConsolidatedAt).not.toBeNull();

    const proposals = await db().memoryProposal.findMany({ where: { teamId: team }, orderBy: { kind: "asc" } });
    const byKind = (kind: string, scope: string | null = repo) => proposals.filter((p) => p.kind === kind && p.repositoryId === scope);
    expect(byKind("archive").map((p) => [p.entryIds, p.reason])).toEqual([[[oldNpm], "contradicted by a later entry from session sessnew (2026-11-20)"]]);
    expect(byKind("merge").map((p) => [p.entryIds, p.text])).toEqual([[[dupA, dupB], "Before pushing, lint with `pnpm lint`."]]);
    expect(byKind("rewrite").map((p) => [p.entryIds, p.text])).toEqual([[[dated], "The staging deploy broke on 2026-11-29"]]);
    expect(byKind("rewrite", null).map((p) => [p.entryIds, p.text])).toEqual([[[teamDated], "The office moved in the week of 2026-11-23"]]);
    // Nothing changed by itself.
    expect((await db().memoryEntry.findMany({ where: { teamId: team } })).every((e) => e.version === 1)).toBe(true);

    // Again (the job through sendJob, as pg-boss would run it): the same open proposals are not written twice.
    await sendJob("memory.consolidate", { repositoryId: repo });
    expect(await db().memoryProposal.count({ where: { teamId: team } })).toBe(proposals.length);

    const archive = byKind("archive")[0];
    expect(await decideProposal(person, archive.id, "accept")).toMatchObject({ state: "accepted" });
    expect((await getEntry(team, oldNpm)).versions[0]).toMatchObject({ version: 2, state: "archived", note: "contradicted by a later entry from session sessnew (2026-11-20)", author: expect.stringMatching(/^Reviewer/) });

    const merge = byKind("merge")[0];
    await decideProposal(person, merge.id, "accept");
    expect((await getEntry(team, dupA)).entry).toMatchObject({ text: "Before pushing, lint with `pnpm lint`.", state: "accepted", version: 2 });
    expect((await getEntry(team, dupA)).versions[0].note).toBe("merged");
    expect((await getEntry(team, dupB)).entry).toMatchObject({ state: "archived" });
    expect((await getEntry(team, dupB)).versions[0].note).toBe(`merged into ${dupA}`);

    const rewrite = byKind("rewrite")[0];
    await decideProposal(person, rewrite.id, "accept");
    expect((await getEntry(team, dated)).versions[0]).toMatchObject({ text: "The staging deploy broke on 2026-11-29", note: "dates made absolute" });
    await expect(decideProposal(person, rewrite.id, "reject")).rejects.toThrow(/already accepted/);

    const teamRewrite = byKind("rewrite", null)[0];
    expect(await decideProposal(person, teamRewrite.id, "reject")).toMatchObject({ state: "rejected" });
    expect((await getEntry(team, teamDated)).entry).toMatchObject({ version: 1, text: "The office moved last week" });
    const audit = await db().auditEntry.findMany({ where: { teamId: team, action: "memory.consolidated" } });
    expect(audit.map((a) => (a.data as { decision: string }).decision).sort()).toEqual(["accept", "accept", "accept", "reject"]);

    // A rejected proposal is not made again for the same entries and text.
    await consolidateRepository(repo);
    expect(await db().memoryProposal.count({ where: { teamId: team, repositoryId: null, kind: "rewrite" } })).toBe(1);
  });

  it("refuses a proposal whose entries changed since it was made", async () => {
    const e = await write("The release train left this morning");
    await db().memoryEntry.update({ where: { id: e }, data: { createdAt: at("2026-12-02T07:00:00Z") } });
    await consolidateRepository(repo);
    const p = await db().memoryProposal.findFirstOrThrow({ where: { teamId: team, entryIds: { has: e } } });
    expect(p.text).toBe("The release train left on the morning of 2026-12-02");
    await patchEntry(person, e, { text: "The release train left at 08:00 on 2026-12-02" });
    await expect(decideProposal(person, p.id, "accept")).rejects.toMatchObject({ code: "conflict", message: "the entries changed since this was proposed; review them again" });
    expect((await getEntry(team, e)).entry.text).toBe("The release train left at 08:00 on 2026-12-02");
    expect(await decideProposal(person, p.id, "reject")).toMatchObject({ state: "rejected" });
  });
});
