// The embedded cluster's login: a random password kept in <data dir>/postgres.password (mode
// 0600, readable by Dockside's own user only), and a pg_hba.conf that asks every connection for
// it. Clusters created before this file existed used the fixed login dockside/dockside, which
// any local process could use: they are adopted by logging in with it once and rotating.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";

export const USER = "dockside";
export const DB = "dockside";
/** The password of clusters created before the password file; refused once adopted. */
export const LEGACY_PASSWORD = "dockside";

// scram-sha-256 everywhere: never `trust`, never `password` (cleartext on the wire). Only the
// loopback address: the server listens on 127.0.0.1 alone (listen_addresses).
const PG_HBA = `# Written by Dockside at every start (lib/db/embedded-login.ts): every connection needs the password.
local   all   all                  scram-sha-256
host    all   all   127.0.0.1/32   scram-sha-256
`;

export const passwordPath = (dataDir: string) => path.join(dataDir, "postgres.password");
const nextPath = (dataDir: string) => `${passwordPath(dataDir)}.next`;

export const embeddedUrl = (password: string, port: number) => `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DB}`;

export const randomPassword = () => crypto.randomBytes(32).toString("base64url");

/** The password in the data directory, or null when there is none yet. Tightens a loose mode. */
export function readPassword(dataDir: string): string | null {
  const file = passwordPath(dataDir);
  if (!fs.existsSync(file)) return null;
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  return fs.readFileSync(file, "utf8").trim() || null;
}

/** The password in the data directory, made (random, mode 0600) when there is none. */
export function ensurePassword(dataDir: string): string {
  const existing = readPassword(dataDir);
  if (existing) return existing;
  const password = randomPassword();
  writeSecret(passwordPath(dataDir), password);
  return password;
}

/** pg_hba.conf is read when the postmaster starts (or reloads): write it before either. */
export function writeHba(databaseDir: string): void {
  // Writing in place keeps the file's owner (the postgres user when Dockside runs as root).
  fs.writeFileSync(path.join(databaseDir, "pg_hba.conf"), PG_HBA);
}

/**
 * Logs in to the running cluster with the file's password, or else with an interrupted
 * rotation's or the legacy one; a login with anything but the file's (or `rotate`: the file's
 * went through initdb's world-readable temp file) is followed by a new random password.
 * Returns the connection URL with the file's password.
 */
export async function settleLogin(dataDir: string, port: number, opts: { rotate?: boolean; reload?: boolean } = {}): Promise<string> {
  const current = ensurePassword(dataDir);
  const pending = fs.existsSync(nextPath(dataDir)) ? fs.readFileSync(nextPath(dataDir), "utf8").trim() : "";
  const candidates = [current, pending, LEGACY_PASSWORD].filter(Boolean);
  let client: pg.Client | null = null;
  let used = "";
  for (const password of candidates) {
    client = await connect(embeddedUrl(password, port));
    if (client) {
      used = password;
      break;
    }
  }
  if (!client) {
    throw new Error(`the embedded PostgreSQL on port ${port} refused the password in ${passwordPath(dataDir)}: if the cluster was made elsewhere, stop it and restore its password file, or set DATABASE_URL`);
  }
  try {
    if (opts.reload) await client.query("SELECT pg_reload_conf()");
    if (used === current && !opts.rotate) return embeddedUrl(current, port);
    const fresh = randomPassword();
    // Written first: a crash between the ALTER and the rename leaves the new password findable.
    writeSecret(nextPath(dataDir), fresh);
    await client.query(`ALTER ROLE ${client.escapeIdentifier(USER)} PASSWORD ${client.escapeLiteral(fresh)}`);
    fs.renameSync(nextPath(dataDir), passwordPath(dataDir));
    return embeddedUrl(fresh, port);
  } finally {
    await client.end().catch(() => {});
  }
}

async function connect(url: string): Promise<pg.Client | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => {});
    // 28P01: wrong password; 28000: no pg_hba entry. Anything else (down, refused) is not a login question.
    const code = (err as { code?: string }).code;
    if (code === "28P01" || code === "28000") return null;
    throw err;
  }
}

// Atomic, and never readable by anyone else, not even for a moment.
function writeSecret(file: string, value: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  fs.writeFileSync(tmp, `${value}\n`, { mode: 0o600, flag: "wx" });
  fs.renameSync(tmp, file);
}
