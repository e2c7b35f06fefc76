// Real parts for the integration tests: an embedded PostgreSQL (migrated), a reachable Docker
// engine and the sandbox image. A missing part fails the run with its name; nothing is skipped.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedDb } from "../lib/db/embedded";
import { migrate } from "../lib/db/migrate";
import { removeInstanceSandboxes } from "../lib/sandbox/container";
import { releaseMountsUnder } from "../lib/sandbox/mounts";
import { freePort } from "./free-port";

let pg: EmbeddedDb | undefined;
let dir = "";

export async function setup(): Promise<void> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-test-"));
  fs.chmodSync(dir, 0o755);
  // The kernel picks the port: several test runs on one machine never collide.
  const port = await freePort();
  pg = await startEmbeddedPostgres(path.join(dir, "db"), port);
  await migrate(pg.url);
  process.env.DATABASE_URL = pg.url;
  process.env.DOCKSIDE_DATA_DIR = path.join(dir, "data");
  // Test repositories live under the temporary directory (test/fixtures.ts makeRepo). The data
  // directory does too, and stays refused: Dockside's own files are never a repository.
  process.env.DOCKSIDE_REPO_ROOTS = fs.realpathSync(os.tmpdir());
  process.env.DOCKSIDE_SANDBOX_MEMORY_MB ??= "512";
}

export async function teardown(): Promise<void> {
  await removeInstanceSandboxes(dir).catch(() => {});
  // Session filesystems are loop mounts: release them even when the engine was unreachable above.
  await releaseMountsUnder(dir).catch(() => {});
  await pg?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
