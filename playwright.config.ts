import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

// Real Chromium from Debian (Playwright's own download is not available offline).
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!fs.existsSync(chromium)) throw new Error(`Chromium not found at ${chromium}: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH`);

import { APP_PG_PORT, APP_PORT, NODOCKER_PG_PORT, NODOCKER_PORT, STUB_PORT } from "./e2e/ports";

// One data directory per run, created by the main process only (workers re-read this file).
if (!process.env.DOCKSIDE_E2E_DIR) {
  process.env.DOCKSIDE_E2E_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-e2e-"));
  fs.chmodSync(process.env.DOCKSIDE_E2E_DIR, 0o755);
}
const dir = process.env.DOCKSIDE_E2E_DIR;

const serverEnv = (extra: Record<string, string>) => ({
  ...(process.env as Record<string, string>),
  NODE_ENV: "production",
  HOSTNAME: "localhost",
  ANTHROPIC_BASE_URL: `http://127.0.0.1:${STUB_PORT}`,
  ANTHROPIC_API_KEY: "test-key",
  DOCKSIDE_SANDBOX_MEMORY_MB: "1024",
  // Many fresh accounts in a minute, all from 127.0.0.1.
  DOCKSIDE_AUTH_SIGNUP_LIMIT: "1000",
  // Tests make their repositories under the temporary directory (test/fixtures.ts makeRepo).
  DOCKSIDE_REPO_ROOTS: fs.realpathSync(os.tmpdir()),
  ...extra,
});

export default defineConfig({
  testDir: "e2e",
  globalTeardown: "./e2e/global-teardown.ts",
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: `http://localhost:${APP_PORT}`,
    launchOptions: {
      executablePath: chromium,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
    },
    trace: "retain-on-failure",
  },
  webServer: [
    {
      command: `node_modules/.bin/tsx scripts/model-stub.ts --port ${STUB_PORT}`,
      url: `http://127.0.0.1:${STUB_PORT}/__health`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: "node --import tsx server.ts",
      url: `http://localhost:${APP_PORT}/api/health`,
      env: serverEnv({ PORT: String(APP_PORT), DOCKSIDE_DATA_DIR: path.join(dir, "app"), DOCKSIDE_PG_PORT: String(APP_PG_PORT) }),
      reuseExistingServer: false,
      timeout: 180_000,
      stdout: "pipe",
      // SIGTERM, not Playwright's default SIGKILL: the server's shutdown removes its warm pool,
      // which a killed server leaves running (refilled after the global teardown's sweep).
      gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
    },
    {
      // The same app with an unreachable Docker engine: it must start and say so.
      command: "node --import tsx server.ts",
      url: `http://localhost:${NODOCKER_PORT}/api/health`,
      env: serverEnv({ PORT: String(NODOCKER_PORT), DOCKSIDE_DATA_DIR: path.join(dir, "nodocker"), DOCKSIDE_PG_PORT: String(NODOCKER_PG_PORT), DOCKER_HOST: "tcp://127.0.0.1:1" }),
      reuseExistingServer: false,
      timeout: 180_000,
      gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
    },
  ],
});
