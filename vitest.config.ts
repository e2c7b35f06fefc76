import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["lib/**/*.test.ts", "components/**/*.test.ts", "sandbox/**/*.test.ts", "test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 240_000,
    // Integration tests share one Docker engine, one database and 2 cores; one file at a time keeps
    // their timing honest (long agent sessions under load would measure the machine, not the code).
    maxWorkers: 1,
  },
});
