// The review's paged diff on a real host repository: the index first (files, no hunks), then
// pages of files with their hunks that add up to the whole diff; a huge file loads on its own;
// another team's session is a 404 whatever the query.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as diffGet } from "../../app/api/sessions/[id]/diff/route";
import { createApiToken } from "../auth/tokens";
import { connectDb, db } from "../db/client";
import { hostRepoPath } from "../git/host-repo";
import { makeMember, makeSession, makeTeam } from "../history/test-fixtures";
import type { DiffFile, DiffJson, DiffPage } from "../protocol/review";
import { setRuntime } from "../runtime/boot";
import { checkHealth } from "../runtime/health";
import { Orchestrator } from "../sessions/orchestrator";

let session: string;
let branch: string;
let work: string;
let tokenA: string;
let tokenB: string;

const git = (dir: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "-C", dir, ...args], { encoding: "utf8" }).trim();
const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} line ${i + 1}`).join("\n") + "\n";

async function get<B>(token: string, query: string): Promise<{ status: number; body: B }> {
  const req = new Request(`http://dockside.test/api/sessions/${session}/diff?${query}`, { headers: { authorization: `Bearer ${token}` } });
  const res = await diffGet(req, { params: Promise.resolve({ id: session }) });
  return { status: res.status, body: (await res.json()) as B };
}

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  setRuntime({ orchestrator: new Orchestrator(), health: () => checkHealth("external") });
  const [a, b] = [await makeTeam(), await makeTeam()];
  tokenA = (await createApiToken((await makeMember(a, "viewer")).user.id, a, "viewer")).token;
  tokenB = (await createApiToken((await makeMember(b, "owner")).user.id, b, "owner")).token;
  session = await makeSession(a, { status: "idle" });
  branch = (await db().session.findUniqueOrThrow({ where: { id: session } })).branch;

  // A base and a head with an edit, a rename, an addition, a deletion, a binary and a huge file.
  work = fs.mkdtempSync(path.join(os.tmpdir(), "diff-pages-"));
  git(work, "init", "-q", "-b", "main");
  const put = (name: string, body: string | Buffer) => fs.writeFileSync(path.join(work, name), body);
  put("a.py", lines(40, "a"));
  put("old-name.py", lines(30, "moved"));
  put("gone.txt", "bye\n");
  put("z.py", lines(10, "z"));
  git(work, "add", "-A");
  git(work, "commit", "-q", "-m", "base");
  const base = git(work, "rev-parse", "HEAD");
  put("a.py", lines(40, "a").replace("a line 3\n", "a line three\n").replace("a line 30\n", "A LINE 30\n"));
  git(work, "mv", "old-name.py", "new-name.py");
  put("new-name.py", lines(30, "moved").replace("moved line 2\n", "moved line two\n"));
  put("b with space.py", lines(5, "b"));
  put("logo.bin", Buffer.from([0, 1, 2, 3, 0, 255]));
  put("huge.txt", lines(6000, "huge"));
  put("m-bulk.txt", lines(1495, "bulk"));
  put("z.py", lines(10, "z") + "z line 11\n");
  git(work, "rm", "-q", "gone.txt");
  git(work, "add", "-A");
  git(work, "commit", "-q", "-m", "head");

  const host = hostRepoPath(session);
  fs.mkdirSync(path.dirname(host), { recursive: true });
  execFileSync("git", ["init", "-q", "--bare", host]);
  git(work, "push", "-q", host, `HEAD:refs/heads/${branch}`, `${base}:refs/heads/main`);
  await db().session.update({ where: { id: session }, data: { baseCommit: base } });
});

describe("the review's paged diff", () => {
  it("answers the file list first, then pages that add up to the whole diff", async () => {
    const whole = await get<DiffJson>(tokenA, "format=json");
    expect(whole.status).toBe(200);
    const index = await get<DiffJson>(tokenA, "format=json&view=index");
    expect(index.status).toBe(200);
    // Same files, counts and statuses; the leading files come with their hunks (the page paints
    // from this one answer) up to a page's worth of lines (the huge file counts as one line, as
    // the client's pages count it, and comes too large to show), the rest come without.
    const strip = (f: DiffFile) => ({ path: f.path, oldPath: f.oldPath, status: f.status, additions: f.additions, deletions: f.deletions });
    expect(index.body.files.map(strip)).toEqual(whole.body.files.map(strip));
    const lead = index.body.files.findIndex((f) => f.deferred);
    expect(index.body.files[lead].path).toBe("m-bulk.txt");
    expect(index.body.files.slice(0, lead).map((f) => [f.path, f.hunks, f.tooLarge])).toEqual(whole.body.files.slice(0, lead).map((f) => [f.path, f.hunks, f.tooLarge]));
    expect(index.body.files.slice(lead).every((f) => f.deferred && f.hunks.length === 0)).toBe(true);
    expect(index.body.files.map((f) => f.path)).toEqual(["a.py", "b with space.py", "gone.txt", "huge.txt", "logo.bin", "m-bulk.txt", "new-name.py", "z.py"]);
    expect(index.body.files.find((f) => f.path === "new-name.py")).toMatchObject({ status: "renamed", oldPath: "old-name.py" });
    expect(index.body.files.find((f) => f.path === "huge.txt")?.tooLarge).toBe(true);

    // Pages of 2: the same hunks as the whole diff, file by file.
    const paged: DiffFile[] = [];
    for (let offset = 0; offset < index.body.files.length; offset += 2) {
      const page = await get<DiffPage>(tokenA, `format=json&offset=${offset}&limit=2`);
      expect(page.status).toBe(200);
      expect(page.body.offset).toBe(offset);
      paged.push(...page.body.files);
    }
    expect(paged.map((f) => [f.path, f.hunks, f.tooLarge])).toEqual(whole.body.files.map((f) => [f.path, f.hunks, f.tooLarge]));
    expect(paged.find((f) => f.path === "a.py")?.hunks.flatMap((h) => h.lines).filter((l) => l.type === "add").map((l) => l.text)).toEqual(["a line three", "A LINE 30"]);
  });

  it("loads a huge file's whole diff on its own (Load diff)", async () => {
    const at = (await get<DiffJson>(tokenA, "format=json&view=index")).body.files.findIndex((f) => f.path === "huge.txt");
    const capped = await get<DiffPage>(tokenA, `format=json&offset=${at}&limit=1`);
    expect(capped.body.files[0]).toMatchObject({ path: "huge.txt", tooLarge: true, hunks: [] });
    const full = await get<DiffPage>(tokenA, `format=json&offset=${at}&limit=1&full=1`);
    expect(full.body.files[0].tooLarge).toBe(false);
    expect(full.body.files[0].hunks.flatMap((h) => h.lines)).toHaveLength(6000);
  });

  it("keeps another team out and refuses oversized pages", async () => {
    for (const q of ["format=json&view=index", "format=json&offset=0&limit=5", "format=json&offset=0&limit=1&full=1", "format=json", ""]) {
      const r = await get<{ error?: { message: string } }>(tokenB, q);
      expect(r.status, q).toBe(404);
    }
    const big = await get<{ error: { message: string } }>(tokenA, "format=json&offset=0&limit=500");
    expect(big.status).toBe(422);
    expect(JSON.stringify(big.body)).toContain("at most 200 files");
    expect((await get(tokenA, "format=json&offset=-1&limit=5")).status).toBe(422);
  });

  it("follows the branch: a new checkpoint's files show on the next request", async () => {
    const before = await get<DiffJson>(tokenA, "format=json&view=index");
    fs.writeFileSync(path.join(work, "later.py"), "print('later')\n");
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "later");
    git(work, "push", "-q", hostRepoPath(session), `HEAD:refs/heads/${branch}`);
    const after = await get<DiffJson>(tokenA, "format=json&view=index");
    expect(after.body.to).not.toBe(before.body.to);
    expect(after.body.files.map((f) => f.path)).toContain("later.py");
    const at = after.body.files.findIndex((f) => f.path === "later.py");
    const page = await get<DiffPage>(tokenA, `format=json&offset=${at}&limit=1`);
    expect(page.body.files[0].hunks.flatMap((h) => h.lines).map((l) => l.text)).toEqual(["print('later')"]);
  });
});
