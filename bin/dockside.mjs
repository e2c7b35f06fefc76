#!/usr/bin/env node
// `npx dockside ...`: runs the TypeScript CLI (lib/cli/main.ts) through tsx, from the Dockside
// directory like `npm start`, so relative paths (DOCKSIDE_DATA_DIR) mean what they mean to the server.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
register({ tsconfig: path.join(root, "tsconfig.json") });
// `dockside session ...` only talks HTTP: it skips loading the database code (seconds).
if (process.argv[2] === "session") {
  const { runSessionCli } = await import(pathToFileURL(path.join(root, "lib/cli/session-cli.ts")).href);
  process.exit(await runSessionCli(process.argv.slice(3)));
} else await import(pathToFileURL(path.join(root, "lib/cli/main.ts")).href);
