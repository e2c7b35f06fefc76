// The real CLI (bin/dockside.mjs) as a child process: against the test database, and against an
// embedded cluster it starts itself or finds already running (as when the server is up).
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../test/http-harness";
import { auth } from "../auth/auth";
import { verifyApiToken } from "../auth/tokens";
import { connectDb, db } from "../db/client";
import { startEmbeddedPostgres } from "../db/embedded";

const BIN = path.resolve("bin/dockside.mjs");
const run = Date.now().toString(36);
const email = (who: string) => `${who}-${run}@cli.example`;

interface Result {
  code: number;
  out: Record<string, unknown>;
  err: { error?: { code: string; message: string } };
}

/** Runs the CLI from an unrelated directory; `env` entries set to undefined are removed. */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Result> {
  const merged = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: os.tmpdir(), env: merged, timeout: 60_000 }, (error, stdout, stderr) => {
      const parse = (s: string) => (s.trim() ? JSON.parse(s) : {});
      resolve({ code: error ? Number(error.code ?? 1) : 0, out: parse(stdout), err: parse(stderr) });
    });
  });
}

beforeAll(() => {
  connectDb(process.env.DATABASE_URL!);
});

describe("dockside CLI on the configured database", () => {
  it("creates users through better-auth, teams, members and tokens; revoked tokens stop working", async () => {
    const u = await cli(["user", "create", "--email", email("Ada").toUpperCase(), "--password", "correct-horse-1", "--name", "Ada Lovelace"]);
    expect(u).toMatchObject({ code: 0, out: { email: email("ada"), name: "Ada Lovelace" } });
    const adaId = u.out.id as string;
    // Hashed by better-auth: the web sign-in accepts it, and the stored credential is not the password.
    const signedIn = await auth().api.signInEmail({ body: { email: email("ada"), password: "correct-horse-1" } });
    expect(signedIn.user.id).toBe(adaId);
    const account = await db().account.findFirstOrThrow({ where: { userId: adaId, providerId: "credential" } });
    expect(account.password).toBeTruthy();
    expect(account.password).not.toContain("correct-horse-1");

    const [bob, team] = await Promise.all([
      cli(["user", "create", "--email", email("bob"), "--password", "correct-horse-2"]),
      cli(["team", "create", "--name", `CLI Team ${run}`, "--owner", email("ada")]),
    ]);
    expect(bob).toMatchObject({ code: 0, out: { email: email("bob"), name: `bob-${run}` } });
    expect(team).toMatchObject({ code: 0, out: { name: `CLI Team ${run}`, slug: `cli-team-${run}` } });
    const teamId = team.out.id as string;
    expect(await db().member.findUnique({ where: { teamId_userId: { teamId, userId: adaId } } })).toMatchObject({ role: "owner" });

    const added = await cli(["team", "add", "--team", `cli-team-${run}`, "--email", email("bob"), "--role", "viewer"]);
    expect(added).toMatchObject({ code: 0, out: { teamId, userId: bob.out.id, role: "viewer" } });
    const byId = await cli(["team", "add", "--team", teamId, "--email", email("bob"), "--role", "member"]);
    expect(byId.out.role).toBe("member");

    const tok = await cli(["token", "create", "--email", email("bob"), "--team", teamId, "--name", "ci"]);
    expect(tok).toMatchObject({ code: 0, out: { teamId, name: "ci" } });
    expect(tok.out.token).toMatch(/^dsk_/);
    expect(await verifyApiToken(tok.out.token as string)).toMatchObject({ tokenId: tok.out.id, userId: bob.out.id, teamId });

    const revoked = await cli(["token", "revoke", "--id", tok.out.id as string]);
    expect(revoked).toMatchObject({ code: 0, out: { id: tok.out.id, revoked: true } });
    expect(await verifyApiToken(tok.out.token as string)).toBeNull();
  });

  it("refuses bad input with a JSON error: usage errors exit 2, the rest exit 1", async () => {
    await cli(["user", "create", "--email", email("carol"), "--password", "correct-horse-3"]);
    const cases: [string[], number, RegExp][] = [
      [["user", "create", "--email", email("carol"), "--password", "correct-horse-3"], 1, /already exists/],
      [["user", "create", "--email", email("dave"), "--password", "short"], 1, /too short: at least 8/],
      [["user", "create", "--email", "not-an-email", "--password", "correct-horse-4"], 2, /--email: must be an email address/],
      [["user", "create", "--email", email("erin")], 2, /--password is required/],
      [["user", "create", "--email", email("erin"), "--password", "x", "--admin", "yes"], 2, /unknown flag --admin/],
      [["frobnicate"], 2, /unknown command "frobnicate"/],
      [["token", "mint"], 2, /unknown command "token mint"/],
      [["team", "add", "--team", "default", "--email", email("carol"), "--role", "king"], 2, /--role: .*expected one of/],
      [["team", "add", "--team", `no-such-team-${run}`, "--email", email("carol"), "--role", "member"], 1, /no team with the id, slug or name/],
      [["team", "create", "--name", "Ghosts", "--owner", email("nobody")], 1, /no user with the email/],
      [["token", "create", "--email", email("carol"), "--team", "default"], 1, /not a member of default/],
      [["token", "revoke", "--id", "no-such-token"], 1, /token not found/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    results.forEach((r, i) => {
      const [args, code, message] = cases[i];
      expect({ args, code: r.code, out: r.out }).toEqual({ args, code, out: {} });
      expect(r.err.error?.message, args.join(" ")).toMatch(message);
    });
    expect(await db().user.findUnique({ where: { email: email("dave") } })).toBeNull();
  });

  it("prints its commands as JSON with --help", async () => {
    const h = await cli(["--help"]);
    expect(h.code).toBe(0);
    expect((h.out.commands as { command: string }[]).map((c) => c.command)).toEqual(["user create", "team create", "team add", "token create", "token revoke", "backup", "restore", "session"]);
  });

  it("takes a team's name as well as its slug or id; a name several teams share is refused with the matches", async () => {
    await cli(["user", "create", "--email", email("nora"), "--password", "correct-horse-7"]);
    const name = `Named Team ${run}`;
    const one = await cli(["team", "create", "--name", name, "--owner", email("nora")]);
    expect(one.code).toBe(0);
    await cli(["user", "create", "--email", email("olga"), "--password", "correct-horse-8"]);
    // Any case, as people type it.
    const byName = await cli(["team", "add", "--team", name.toUpperCase(), "--email", email("olga"), "--role", "viewer"]);
    expect(byName).toMatchObject({ code: 0, out: { teamId: one.out.id, role: "viewer" } });
    const tok = await cli(["token", "create", "--email", email("olga"), "--team", name]);
    expect(tok).toMatchObject({ code: 0, out: { teamId: one.out.id } });

    const two = await cli(["team", "create", "--name", name.toLowerCase(), "--owner", email("nora")]);
    expect(two.code).toBe(0);
    const ambiguous = await cli(["team", "add", "--team", name, "--email", email("olga"), "--role", "member"]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err.error?.code).toBe("conflict");
    expect(ambiguous.err.error?.message).toContain(`2 teams are named "${name}"`);
    expect(ambiguous.err.error?.message).toContain(String(one.out.slug));
    expect(ambiguous.err.error?.message).toContain(String(two.out.slug));
    expect(ambiguous.err.error?.message).toMatch(/give the slug or id/);
    // The slug still picks exactly one.
    expect((await cli(["team", "add", "--team", String(two.out.slug), "--email", email("olga"), "--role", "member"])).code).toBe(0);
  });
});

describe("dockside CLI on the embedded database", () => {
  let dir = "";
  let port = 0;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-cli-"));
    fs.chmodSync(dir, 0o755);
    port = await freePort();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const embeddedEnv = () => ({ DATABASE_URL: undefined, DOCKSIDE_DATA_DIR: path.join(dir, "data"), DOCKSIDE_PG_PORT: String(port) });
  // Any answer on the port, whatever the login (the cluster's password lives in its data dir).
  const portOpen = () => new pg.Client({ host: "127.0.0.1", port, user: "dockside", password: "probe", database: "dockside" }).connect().then(() => true, (err: { code?: string }) => err.code === "28P01");

  it("starts the cluster for the command and stops it after, or uses the one the server runs", async () => {
    const first = await cli(["user", "create", "--email", "first@embedded.example", "--password", "correct-horse-5"], embeddedEnv());
    expect(first).toMatchObject({ code: 0, out: { email: "first@embedded.example" } });
    expect(await portOpen()).toBe(false);

    // The server holds the cluster: the CLI connects to it instead of starting a second one.
    const server = await startEmbeddedPostgres(path.join(dir, "data"), port);
    try {
      const team = await cli(["team", "create", "--name", "Embedded", "--owner", "first@embedded.example"], embeddedEnv());
      expect(team).toMatchObject({ code: 0, out: { slug: "embedded" } });
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      const owners = await c.query(`SELECT m.role, m.team_id FROM members m JOIN users u ON u.id = m.user_id WHERE u.email = 'first@embedded.example' ORDER BY m.created_at`);
      await c.end();
      // The first account owns the first team (the sign-up hook), then the team it created.
      expect(owners.rows).toEqual([{ role: "owner", team_id: "default" }, { role: "owner", team_id: team.out.id }]);

      // The data directory records the server's port: found without DOCKSIDE_PG_PORT (the default
      // port differs; starting a second postmaster on this cluster would fail on its lock).
      expect(fs.readFileSync(path.join(dir, "data/postgres.port"), "utf8").trim()).toBe(String(port));
      const found = await cli(["team", "add", "--team", "Embedded", "--email", "first@embedded.example", "--role", "owner"], { ...embeddedEnv(), DOCKSIDE_PG_PORT: undefined });
      expect(found).toMatchObject({ code: 0, out: { teamId: team.out.id, role: "owner" } });

      // Same port, another data directory: refused rather than writing into someone else's database.
      const wrong = await cli(["user", "create", "--email", "x@embedded.example", "--password", "correct-horse-6"], { ...embeddedEnv(), DOCKSIDE_DATA_DIR: path.join(dir, "other") });
      expect(wrong.code).toBe(1);
      expect(wrong.err.error?.message).toMatch(/must match the server's/);
    } finally {
      await server.stop();
    }
  });
});
