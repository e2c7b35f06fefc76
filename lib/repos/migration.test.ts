// The repositories migration on a database with data from before it: sessions get registrations of
// their team, team protected branches and push tokens move into them, and a local path that two
// teams used goes to the team that used it first.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { migrate } from "../db/migrate";

const MINE = "20261130110000_repositories";

describe("migration 20261130110000_repositories", () => {
  it("backfills registrations from existing sessions, protected branches and push tokens", async () => {
    const all = path.resolve("prisma/migrations");
    const before = fs.mkdtempSync(path.join(os.tmpdir(), "migrations-"));
    for (const name of fs.readdirSync(all).filter((n) => n < MINE)) fs.cpSync(path.join(all, name), path.join(before, name), { recursive: true });
    const url = process.env.DATABASE_URL!;
    const base = new URL(url);
    const name = `repomig_old_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    base.pathname = `/${name}`;
    await migrate(base.href, before);

    const c = new pg.Client({ connectionString: base.href });
    await c.connect();
    try {
      await c.query(`INSERT INTO teams (id, name, slug, protected_branches) VALUES ('ta', 'A', 'a', '{main}'), ('tb', 'B', 'b', '{}')`);
      const session = (id: string, team: string, repo: string, at: string) =>
        c.query(`INSERT INTO sessions (id, team_id, repo, base_branch, branch, prompt, model, status, created_at, updated_at) VALUES ($1, $2, $3, 'main', 'dockside/x', 'p', 'm', 'stopped', $4, $4)`, [id, team, repo, at]);
      await session("s1", "ta", "/srv/shared", "2026-01-01");
      await session("s2", "tb", "/srv/shared", "2026-02-01");
      await session("s3", "ta", "https://git.example.com/org/app.git", "2026-01-02");
      await session("s4", "ta", "https://git.example.com/org/app", "2026-01-03");
      await session("s5", "tb", "https://git.example.com/org/app.git", "2026-01-04");
      await c.query(`INSERT INTO repo_credentials (id, team_id, repo, secret) VALUES ('c1', 'ta', 'https://git.example.com/org/app.git', 'sealed-secret'), ('c2', 'tb', 'https://git.example.com/other/tool.git', 'sealed-2')`);

      await migrate(base.href, all);

      const repos = (await c.query(`SELECT team_id, kind, location, name, protected_branches, push_secret FROM repositories ORDER BY team_id, kind, location`)).rows;
      expect(repos).toEqual([
        { team_id: "ta", kind: "https", location: "https://git.example.com/org/app", name: "app", protected_branches: ["main"], push_secret: "sealed-secret" },
        { team_id: "ta", kind: "local", location: "/srv/shared", name: "shared", protected_branches: ["main"], push_secret: null },
        { team_id: "tb", kind: "https", location: "https://git.example.com/org/app", name: "app", protected_branches: [], push_secret: null },
        { team_id: "tb", kind: "https", location: "https://git.example.com/other/tool", name: "tool", protected_branches: [], push_secret: "sealed-2" },
      ]);
      const linked = (await c.query(`SELECT s.id, r.team_id, r.location FROM sessions s LEFT JOIN repositories r ON r.id = s.repository_id ORDER BY s.id`)).rows;
      expect(linked).toEqual([
        { id: "s1", team_id: "ta", location: "/srv/shared" },
        { id: "s2", team_id: null, location: null },
        { id: "s3", team_id: "ta", location: "https://git.example.com/org/app" },
        { id: "s4", team_id: "ta", location: "https://git.example.com/org/app" },
        { id: "s5", team_id: "tb", location: "https://git.example.com/org/app" },
      ]);
      const gone = await c.query(`SELECT to_regclass('repo_credentials') AS t, (SELECT count(*) FROM information_schema.columns WHERE table_name = 'teams' AND column_name = 'protected_branches')::int AS col`);
      expect(gone.rows[0]).toEqual({ t: null, col: 0 });
    } finally {
      await c.end();
    }
  });
});
