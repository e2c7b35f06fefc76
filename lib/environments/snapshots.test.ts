// Cached environments on the real test database and disk: stored host-only, least recently used
// evicted past DOCKSIDE_ENV_CACHE_GB (here about 10 KB), too big ones not kept, listed and deleted.
process.env.DOCKSIDE_ENV_CACHE_GB = "0.00001"; // 10,737 bytes

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { authorize, type Access } from "../auth/authorize";
import { env } from "../config/env";
import { connectDb, db } from "../db/client";
import { makeMember, makeTeam, rid } from "../history/test-fixtures";
import { removeRepository } from "../repos/remove-repository";
import { finishSetup } from "./finish-setup";
import { cacheLimitBytes, deleteEnvironments, listEnvironments, markUsed, snapshotFor, snapshotPath, storeSnapshot } from "./snapshots";

beforeAll(() => void connectDb(process.env.DATABASE_URL!));

async function world(): Promise<{ admin: Access; repo: string; session(): Promise<string> }> {
  const team = await makeTeam();
  const admin = await authorize(await makeMember(team, "admin"), team, "team.read");
  const repo = crypto.randomUUID();
  await db().repository.create({ data: { id: repo, teamId: team, kind: "https", location: `https://git.example.com/${repo}`, source: `https://git.example.com/${repo}.git`, name: "app" } });
  const session = async () => {
    const id = rid(20);
    await db().session.create({ data: { id, teamId: team, repo: "https://git.example.com/x", baseBranch: "main", branch: `dockside/${id.slice(0, 8)}`, prompt: "p", model: "m", status: "running", repositoryId: repo } });
    return id;
  };
  return { admin, repo, session };
}

const key = () => crypto.randomBytes(32).toString("hex");
function upload(bytes: number): string {
  const dir = path.join(env().dataDir, "uploads-test");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${crypto.randomUUID()}.tar`);
  fs.writeFileSync(file, crypto.randomBytes(bytes), { mode: 0o600 });
  return file;
}
async function store(w: Awaited<ReturnType<typeof world>>, bytes: number, k = key()) {
  const file = upload(bytes);
  const stored = await storeSnapshot(await w.session(), k, 1234, file, { key: k, basis: `lockfiles package-lock.json@${k.slice(0, 7)}` });
  return { k, file, stored };
}

describe("storing an environment", () => {
  it("moves the upload into a host-only cache file and records it", async () => {
    const w = await world();
    const { k, file, stored } = await store(w, 2000);
    expect(fs.existsSync(file)).toBe(false);
    const dest = snapshotPath(w.repo, k);
    expect(dest).toBe(path.join(env().dataDir, "environments", w.repo, `${k}.tar`));
    expect(fs.statSync(dest).size).toBe(2000);
    expect(fs.statSync(dest).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(dest)).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.dirname(path.dirname(dest))).mode & 0o777).toBe(0o700);
    expect(stored).toMatchObject({ repositoryId: w.repo, key: k, basis: `lockfiles package-lock.json@${k.slice(0, 7)}`, sizeBytes: 2000, setupMs: 1234, uses: 0 });

    expect(await snapshotFor(w.repo, k)).toEqual({ id: stored!.id, file: dest, basis: stored!.basis, sizeBytes: 2000 });
    await markUsed(stored!.id);
    const listed = await listEnvironments(w.admin.teamId);
    expect(listed).toMatchObject({ totalBytes: 2000, limitBytes: cacheLimitBytes(), environments: [{ id: stored!.id, uses: 1 }] });
    expect(listed.limitBytes).toBe(10_737);
  });

  it("refuses a key that is not the plan's, and a session that planned nothing", async () => {
    const w = await world();
    const file = upload(100);
    const s = await w.session();
    await expect(storeSnapshot(s, key(), 1, file, { key: key(), basis: "commit 1234567" })).rejects.toMatchObject({ code: "invalid", message: expect.stringMatching(/not the one this session's setup plan gave/) });
    await expect(storeSnapshot(s, key(), 1, file, { key: null, basis: null })).rejects.toMatchObject({ code: "invalid" });
    expect(fs.existsSync(file)).toBe(true);
    expect((await listEnvironments(w.admin.teamId)).environments).toEqual([]);
  });

  it("evicts the least recently used until the cache fits, never the one just stored", async () => {
    const w = await world();
    const a = await store(w, 3000);
    const b = await store(w, 3000);
    const c = await store(w, 3000);
    await markUsed(a.stored!.id); // b is now the least recently used
    const d = await store(w, 3000);
    const keys = (await listEnvironments(w.admin.teamId, w.repo)).environments.map((e) => e.key).sort();
    expect(keys).toEqual([a.k, c.k, d.k].sort());
    expect(fs.existsSync(snapshotPath(w.repo, b.k))).toBe(false);
    expect(fs.existsSync(snapshotPath(w.repo, d.k))).toBe(true);
    // The cache is the installation's: another team's newer environment pushes this team's oldest out.
    const other = await world();
    await store(other, 3000);
    expect((await listEnvironments(w.admin.teamId)).environments.map((e) => e.key).sort()).toEqual([a.k, d.k].sort());
  });

  it("does not keep an environment bigger than the whole cache, and evicts nothing for it", async () => {
    const w = await world();
    const small = await store(w, 1000);
    const big = await store(w, 11_000);
    expect(big.stored).toBeNull();
    expect(fs.existsSync(big.file)).toBe(false);
    expect(fs.existsSync(snapshotPath(w.repo, big.k))).toBe(false);
    expect((await listEnvironments(w.admin.teamId)).environments.map((e) => e.key)).toEqual([small.k]);
  });

  it("replaces the environment of a key stored again", async () => {
    const w = await world();
    const first = await store(w, 500);
    await markUsed(first.stored!.id);
    const again = await store(w, 700, first.k);
    expect(again.stored).toMatchObject({ id: first.stored!.id, sizeBytes: 700, uses: 0 });
    expect(fs.statSync(snapshotPath(w.repo, first.k)).size).toBe(700);
  });

  it("drops a row whose file is gone", async () => {
    const w = await world();
    const { k } = await store(w, 100);
    fs.rmSync(snapshotPath(w.repo, k));
    expect(await snapshotFor(w.repo, k)).toBeNull();
    expect((await listEnvironments(w.admin.teamId)).environments).toEqual([]);
  });
});

describe("deleting environments", () => {
  it("deletes one or all of a repository's (audited), and removing the repository removes its files", async () => {
    const w = await world();
    const [one, two] = [await store(w, 100), await store(w, 100)];
    const other = await world();
    const theirs = await store(other, 100);

    await expect(deleteEnvironments(w.admin, w.repo, theirs.stored!.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(deleteEnvironments(w.admin, other.repo)).rejects.toMatchObject({ code: "not_found" });
    expect(await deleteEnvironments(w.admin, w.repo, one.stored!.id)).toEqual({ deleted: 1 });
    expect(fs.existsSync(snapshotPath(w.repo, one.k))).toBe(false);
    expect((await listEnvironments(w.admin.teamId)).environments.map((e) => e.key)).toEqual([two.k]);
    const audit = await db().auditEntry.findFirstOrThrow({ where: { teamId: w.admin.teamId, targetId: w.repo } });
    expect(audit).toMatchObject({ action: "repo.updated", data: { environmentsDeleted: [one.stored!.basis] } });

    const three = await store(w, 100);
    const repoRow = await db().repository.findUniqueOrThrow({ where: { id: w.repo } });
    await removeRepository(w.admin, repoRow);
    expect(fs.existsSync(path.join(env().dataDir, "environments", w.repo))).toBe(false);
    expect(fs.existsSync(snapshotPath(w.repo, three.k))).toBe(false);
    expect((await listEnvironments(w.admin.teamId)).environments).toEqual([]);
    expect(fs.existsSync(snapshotPath(other.repo, theirs.k))).toBe(true);
    expect(await deleteEnvironments(other.admin, other.repo)).toEqual({ deleted: 1 });
  });
});

describe("finishing setup", () => {
  it("records the end of setup once, only when it went well", async () => {
    const w = await world();
    const s = await w.session();
    const at = async () => (await db().session.findUniqueOrThrow({ where: { id: s } })).setupFinishedAt;
    expect(await finishSetup(s, { ok: false, state: "failed" })).toBe(false);
    expect(await at()).toBeNull();
    expect(await finishSetup(s, { ok: true, state: "cached" })).toBe(true);
    const first = await at();
    expect(first).toBeInstanceOf(Date);
    await finishSetup(s, { ok: true, state: "ok" });
    expect(await at()).toEqual(first);
  });
});
