// Bundles the sandbox worker (sandbox/worker/main.ts with the SDK, zod and the shared lib files)
// into one ES module, sandbox/dist/worker.mjs. The host mounts sandbox/dist read-only at
// /opt/dockside and the container runs `node /opt/dockside/worker.mjs` on Debian's Node 18, so a
// worker change needs this build (well under a second) and never an image rebuild.
import { build } from "esbuild";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outfile = path.join(root, "sandbox/dist/worker.mjs");
const started = Date.now();

const result = await build({
  entryPoints: [path.join(root, "sandbox/worker/main.ts")],
  outfile,
  bundle: true,
  platform: "node",
  target: "node18",
  format: "esm",
  // Bundled CommonJS dependencies call require() for node builtins; ESM has no require of its own.
  banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  sourcemap: true,
  legalComments: "none",
  // Parsed at every sandbox start on Node 18 (no compile cache): smaller source parses faster.
  // Names are kept, so a stack trace in the worker's stderr still reads without the map.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: "warning",
  write: false,
});

// Written to a temporary name and renamed: a worker starting (or a parallel build) meanwhile
// never sees half a file.
fs.mkdirSync(path.dirname(outfile), { recursive: true });
for (const file of result.outputFiles) {
  const tmp = `${file.path}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, file.contents);
  fs.renameSync(tmp, file.path);
}

console.log(`[build] worker bundle ${path.relative(root, outfile)} (${Date.now() - started} ms)`);
