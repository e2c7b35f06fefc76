// `dockside backup` while a runtime is up (a session's sandbox running), `dockside restore` into a
// fresh data directory with its own embedded PostgreSQL: every row is there, the session and its
// events as they were, and the session's branch readable from the restored host.git.
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../test/http-harness";
import { makeRepo } from "../../test/fixtures";
import { allEvents, script, startHarness, TEAM, waitStatusEvent, type Harness } from "../../test/session-harness";
import { env } from "../config/env";
import { db } from "../db/client";
import { startEmbeddedPostgres } from "../db/embedded";
import { sessionPaths } from "../git/workspace";
import { authSecret } from "../auth/secret";
import type { Manifest } from "./archive";

const BIN = path.resolve("bin/dockside.mjs");

function cli(args: string[], extra: Record<string, string | undefined> = {}): Promise<{ code: number; out: Record<string, unknown>; err: { error?: { code: string; message: string } } }> {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete merged[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: os.tmpdir(), env: merged, timeout: 180_000 }, (error, stdout, stderr) => {
      const parse = (s: string) => (s.trim() ? JSON.parse(s) : {});
      resolve({ code: error ? Number(error.code ?? 1) : 0, out: parse(stdout), err: parse(stderr) });
    });
  });
}

const git = (repo: string, ...args: string[]) => execFileSync("git", ["-c", "safe.directory=*", "--git-dir", repo, ...args], { encoding: "utf8" }).trim();

let h: Harness;
let dir = "";
beforeAll(async () => {
  h = await startHarness();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-backup-"));
  fs.chmodSync(dir, 0o755);
});
afterAll(async () => {
  await h?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("dockside backup and restore", () => {
  it("a backup taken while a session's sandbox runs restores into a fresh data directory with the whole history", async () => {
    const repo = makeRepo({ "README.md": "# backup\n" });
    h.stub.addScript(
      script("BACKUP-HISTORY", [
        { blocks: [{ type: "tool_use", name: "write_file", input: { path: "kept.txt", content: "in the backup\n" } }] },
        { blocks: [{ type: "text", text: "Wrote kept.txt." }] },
      ]),
    );
    const s = await h.orchestrator.createSession(TEAM, { repo, prompt: "BACKUP-HISTORY: write it" });
    await waitStatusEvent(s.id, "idle");
    const session = await db().session.findUniqueOrThrow({ where: { id: s.id } });
    const events = await allEvents(s.id);
    const hostRepo = sessionPaths(env().dataDir, s.id).hostRepo;
    const head = git(hostRepo, "rev-parse", `refs/heads/${session.branch}`);
    expect(git(hostRepo, "show", `${head}:kept.txt`)).toBe("in the backup");

    // Backup: the test database and data directory, the runtime up (its secret made, as a server's is).
    authSecret();
    const file = path.join(dir, "dockside.tar");
    const taken = await cli(["backup", file]);
    expect(taken.err).toEqual({});
    expect(taken).toMatchObject({ code: 0, out: { file } });
    expect(taken.out.sessionRepositories as number).toBeGreaterThan(0);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const members = execFileSync("tar", ["-tf", file], { encoding: "utf8" }).split("\n");
    expect(members).toContain("manifest.json");
    expect(members).toContain(`files/sessions/${s.id}/host.git/HEAD`);
    expect(members.some((m) => m.includes("/postgres/") || m.endsWith("fs.img") || m.endsWith("repos.img"))).toBe(false);
    const manifest = JSON.parse(execFileSync("tar", ["-xOf", file, "manifest.json"], { encoding: "utf8" })) as Manifest;
    expect(manifest).toMatchObject({ format: "dockside-backup", version: 1, dataDir: env().dataDir });

    // Restore: a fresh data directory, its own embedded PostgreSQL (no DATABASE_URL).
    const fresh = path.join(dir, "restored");
    const port = await freePort();
    const restoreEnv = { DATABASE_URL: undefined, DOCKSIDE_DATA_DIR: fresh, DOCKSIDE_PG_PORT: String(port) };
    const restored = await cli(["restore", file], restoreEnv);
    expect(restored.err).toEqual({});
    expect(restored).toMatchObject({ code: 0, out: { dataDir: fresh } });
    expect(fs.readFileSync(path.join(fresh, "secret"), "utf8")).toBe(fs.readFileSync(path.join(env().dataDir, "secret"), "utf8"));

    // Into a data directory that is not empty: refused without --force.
    const again = await cli(["restore", file], restoreEnv);
    expect(again.code).toBe(1);
    expect(again.err.error?.message).toMatch(/is not empty: .*--force/);

    const pgdb = await startEmbeddedPostgres(fresh, port);
    const c = new pg.Client({ connectionString: pgdb.url });
    await c.connect();
    try {
      // Every row the backup holds, table by table.
      for (const t of manifest.database.tables) {
        const n = (await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM public."${t.table}"`)).rows[0].n;
        expect({ table: t.table, rows: n }).toEqual({ table: t.table, rows: t.rows });
      }
      const row = (await c.query(`SELECT id, branch, status, base_commit FROM sessions WHERE id = $1`, [s.id])).rows[0];
      expect(row).toEqual({ id: s.id, branch: session.branch, status: session.status, base_commit: session.baseCommit });
      const restoredEvents = (await c.query<{ seq: number; type: string; data: unknown }>(`SELECT seq, type, data FROM events WHERE session_id = $1 ORDER BY seq`, [s.id])).rows;
      expect(restoredEvents.map((e) => [e.seq, e.type, e.data])).toEqual(events.map((e) => [e.seq, e.type, e.data]));
      // The generated search column is computed again.
      const search = `SELECT count(*)::int AS n FROM events WHERE session_id = $1 AND search @@ plainto_tsquery('english', 'wrote')`;
      const before = (await db().$queryRawUnsafe<{ n: number }[]>(search, s.id))[0].n;
      expect(before).toBeGreaterThan(0);
      expect((await c.query(search, [s.id])).rows[0].n).toBe(before);
      await c.query(`INSERT INTO teams (id, name, slug) VALUES ('after-backup', 'After', 'after-backup')`);
    } finally {
      await c.end();
      await pgdb.stop();
    }

    // The branch, from the restored host.git; its borrowed objects found in the restored mirrors.
    const restoredRepo = sessionPaths(fresh, s.id).hostRepo;
    expect(git(restoredRepo, "rev-parse", `refs/heads/${session.branch}`)).toBe(head);
    expect(git(restoredRepo, "show", `${head}:kept.txt`)).toBe("in the backup");
    expect(git(restoredRepo, "show", `${head}:README.md`)).toBe("# backup");
    // host.git borrows the mirror's objects by absolute path: now the restored mirror's.
    expect(fs.readFileSync(path.join(hostRepo, "objects/info/alternates"), "utf8")).toContain(`${env().dataDir}/repos/`);
    const alternates = fs.readFileSync(path.join(restoredRepo, "objects/info/alternates"), "utf8");
    expect(alternates).toContain(`${fresh}/repos/`);
    expect(alternates).not.toContain(`${env().dataDir}/`);

    // --force over the restored directory: the database is the backup's again; the cluster there
    // keeps its own login (the backup's password file is another cluster's).
    const forced = await cli(["restore", file, "--force"], restoreEnv);
    expect(forced.err).toEqual({});
    expect(forced.code).toBe(0);
    const after = await startEmbeddedPostgres(fresh, port);
    const c2 = new pg.Client({ connectionString: after.url });
    await c2.connect();
    try {
      expect((await c2.query(`SELECT id FROM teams WHERE id = 'after-backup'`)).rows).toEqual([]);
      expect((await c2.query(`SELECT count(*)::int AS n FROM events WHERE session_id = $1`, [s.id])).rows[0].n).toBe(events.length);
    } finally {
      await c2.end();
      await after.stop();
    }
  }, 600_000);

  it("refuses a file that is not a backup", async () => {
    const bogus = path.join(dir, "bogus.tar");
    fs.writeFileSync(bogus, "not a tar");
    const r = await cli(["restore", bogus], { DATABASE_URL: undefined, DOCKSIDE_DATA_DIR: path.join(dir, "bogus-data") });
    expect(r.code).toBe(1);
    expect(r.err.error?.message).toMatch(/is not a Dockside backup/);
    const usage = await cli(["backup"]);
    expect(usage.code).toBe(2);
    expect(usage.err.error?.message).toMatch(/FILE argument is required/);
  });
});
