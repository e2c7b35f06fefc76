// Entries as a person sees them: every change a version with its author, no-op changes change
// nothing, and search finds words (stemmed, ranked) as well as code-ish strings.
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Access } from "../auth/authorize";
import { connectDb, db } from "../db/client";
import { makeMember, makeTeam } from "../history/test-fixtures";
import { createEntry, getEntry, listMemory, patchEntry } from "./entries";

let team: string;
let repo: string;
let alice: Access;
let bob: Access;

const list = (q: Record<string, string | number>) => listMemory(team, { limit: 100, ...q });

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  team = await makeTeam();
  repo = crypto.randomUUID();
  await db().repository.create({ data: { id: repo, teamId: team, kind: "https", location: `https://git.example.com/${repo}`, source: `https://git.example.com/${repo}`, name: "app" } });
  alice = { caller: await makeMember(team, "member", "Alice"), teamId: team, role: "member" };
  bob = { caller: await makeMember(team, "admin", "Bob"), teamId: team, role: "admin" };
});

async function proposed(text: string): Promise<string> {
  const id = crypto.randomUUID();
  await db().memoryEntry.create({ data: { id, teamId: team, repositoryId: repo, text, state: "proposed" } });
  await db().memoryVersion.create({ data: { id: crypto.randomUUID(), entryId: id, version: 1, text, state: "proposed", note: "proposed" } });
  return id;
}

describe("versions", () => {
  it("keeps every change with its author; a change to nothing leaves the entry as it is", async () => {
    const id = await proposed("Use the `db()` client from lib/db/client.ts, never a new PrismaClient");
    const accepted = await patchEntry(alice, id, { state: "accepted", text: "Use `db()` from lib/db/client.ts; never construct a PrismaClient" });
    expect(accepted).toMatchObject({ state: "accepted", version: 2, text: "Use `db()` from lib/db/client.ts; never construct a PrismaClient" });
    const same = await patchEntry(bob, id, { state: "accepted", text: "Use `db()` from lib/db/client.ts; never construct a PrismaClient" });
    expect(same).toEqual(accepted);
    await patchEntry(bob, id, { state: "archived" });
    await patchEntry(alice, id, { state: "accepted" });

    const { entry, versions } = await getEntry(team, id);
    expect(entry).toMatchObject({ version: 4, state: "accepted" });
    expect(versions.map((v) => ({ v: v.version, note: v.note, state: v.state, by: v.author?.split(" ")[0] ?? null }))).toEqual([
      { v: 4, note: "accepted", state: "accepted", by: "Alice" },
      { v: 3, note: "archived", state: "archived", by: "Bob" },
      { v: 2, note: "edited, accepted", state: "accepted", by: "Alice" },
      { v: 1, note: "proposed", state: "proposed", by: null },
    ]);
    expect(versions[3].text).toBe("Use the `db()` client from lib/db/client.ts, never a new PrismaClient");
    const audit = await db().auditEntry.findMany({ where: { teamId: team, targetId: id, action: "memory.changed" }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => (a.data as { to: string }).to)).toEqual(["accepted", "archived", "accepted"]);
  });

  it("rejects proposals, never accepted entries, and refuses secrets in edits", async () => {
    const id = await proposed("The staging password is in 1Password");
    expect(await patchEntry(alice, id, { state: "rejected" })).toMatchObject({ state: "rejected", version: 2 });
    const kept = await createEntry(alice, { repo, text: "Feature flags live in config/flags.yml" });
    await expect(patchEntry(alice, kept.id, { state: "rejected" })).rejects.toThrow(/archive it instead/);
    await expect(patchEntry(alice, kept.id, { text: `Feature flags: AKIA${"QWERTYUIOPASDFGH"}` })).rejects.toThrow(/AWS access key id/);
    expect((await getEntry(team, kept.id)).entry).toMatchObject({ version: 1, text: "Feature flags live in config/flags.yml" });
    await expect(getEntry(await makeTeam(), kept.id)).rejects.toThrow(/memory entry not found/);
  });

  it("refuses the current value of a team or repository secret", async () => {
    const { applySecrets } = await import("../environments/secrets");
    await db().$transaction((tx) => applySecrets(tx, team, repo, { STAGING_DB_PASSWORD: "correct-horse-battery" }));
    await expect(createEntry(alice, { repo, text: "staging db password: correct-horse-battery" })).rejects.toThrow(/the value of one of your team's secrets/);
    // A team-wide entry reaches every repository's sessions: a repository's secret may not ride along in one.
    await expect(createEntry(alice, { text: "team-wide: correct-horse-battery is a famous xkcd" })).rejects.toThrow(/the value of one of your team's secrets/);
  });
});

describe("search", () => {
  it("ranks full-text matches (stemmed) and finds code-ish strings by substring", async () => {
    const t = await makeTeam();
    const a: Access = { caller: await makeMember(t, "member"), teamId: t, role: "member" };
    const deploy = await createEntry(a, { text: "Deploying needs the VPN; deploy from main only, deploys from branches fail" });
    const deployOnce = await createEntry(a, { text: "The deploy script is scripts/deploy.sh" });
    const lockfile = await createEntry(a, { text: "Install with `pnpm install --frozen-lockfile` in CI" });
    const path = await createEntry(a, { text: "Route handlers use route() from lib/http/handler.ts" });
    const q = (s: string) => listMemory(t, { q: s, limit: 100 }).then((r) => r.entries.map((e) => e.id));

    expect(await q("deployed")).toEqual([deploy.id, deployOnce.id]);
    expect(await q("--frozen-lockfile")).toEqual([lockfile.id]);
    expect(await q("pnpm")).toEqual([lockfile.id]);
    expect(await q("lib/http/handler.ts")).toEqual([path.id]);
    expect(await q("http/hand")).toEqual([path.id]);
    expect(await q('"deploy script"')).toEqual([deployOnce.id]);
    expect(await q("kubernetes")).toEqual([]);
    // Without a query: newest first.
    expect(await q("")).toEqual([path.id, lockfile.id, deployOnce.id, deploy.id]);
    expect((await listMemory(t, { q: "100%_off", limit: 10 })).entries).toEqual([]);
  });

  it("filters by scope and state", async () => {
    const r = await list({ repo: "team" });
    expect(r.entries.every((e) => e.repoId === null)).toBe(true);
    const rejected = await list({ state: "rejected" });
    expect(rejected.entries.length).toBeGreaterThan(0);
    expect(rejected.entries.every((e) => e.state === "rejected")).toBe(true);
  });
});
