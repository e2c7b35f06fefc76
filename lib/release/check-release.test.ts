// The release check on a throwaway project: a clean build and package pass; a planted source map,
// a sourceMappingURL comment, a .env, a key file and credentials inside shipped files are each
// named. Real npm (`npm pack --dry-run`), the real script, a real HTTP server for the served-map probe.
// Fake credentials are assembled at run time, so this file never holds one the check would find.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkBuild, checkPack, checkServerMaps } from "./check";
import { findShippedSecrets } from "./patterns";

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, "../..");
const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const random62 = (n: number) => Array.from(randomBytes(n), (b) => BASE62[b % 62]).join("");
const dashes = "-".repeat(5);
const fakeKeyBlock = () =>
  [`${dashes}BEGIN RSA PRIVATE KEY${dashes}`, ...(randomBytes(192).toString("base64").match(/.{1,64}/g) ?? []), `${dashes}END RSA PRIVATE KEY${dashes}`].join("\n");
const fakeAnthropicKey = () => ["sk", "ant", "api03", random62(40)].join("-");
const fakeGithubToken = () => `gh${"p"}_${random62(36)}`;

let dir: string;

async function write(rel: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
  await fs.writeFile(path.join(dir, rel), text);
}

/** A project shaped like Dockside's after `next build`, with nothing wrong in it. */
async function cleanProject(): Promise<void> {
  await write("package.json", JSON.stringify({ name: "release-fixture", version: "1.0.0", private: true }));
  // Like the repository's: the build is ignored by git, hence by npm pack.
  await write(".gitignore", "node_modules/\n.next/\n");
  await write("README.md", "# fixture\nSet ANTHROPIC_API_KEY=sk-ant-… in your environment.\n");
  await write("lib/index.js", "export const greet = () => 'hello';\n");
  await write(".next/BUILD_ID", "fixture-build");
  await write(".next/static/chunks/app.js", "(()=>{console.log('app')})();\n");
  await write(".next/static/css/app.css", "body{margin:0}\n");
  await write(".next/server/app/page.js", "module.exports = {};\n//# sourceMappingURL=page.js.map\n");
  // Server-side maps stay for stack traces: never served, not a finding.
  await write(".next/server/app/page.js.map", JSON.stringify({ version: 3, sources: ["page.tsx"], mappings: "" }));
  // `next dev` output and the build cache are never shipped.
  await write(".next/dev/static/chunks/dev.js.map", "{}");
}

async function checkScript(root: string): Promise<{ code: number; stderr: string }> {
  const tsx = path.join(repoRoot, "node_modules/.bin/tsx");
  return run(tsx, [path.join(repoRoot, "scripts/check-release.ts"), "--root", root], { cwd: repoRoot }).then(
    (r) => ({ code: 0, stderr: r.stderr }),
    (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
  );
}

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "dockside-release-"));
  await cleanProject();
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe("release check", () => {
  it("passes a clean build and package", async () => {
    expect(await checkBuild(dir)).toEqual([]);
    expect(await checkPack(dir)).toEqual([]);
    const result = await checkScript(dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("names each planted map, environment file, key and credential, and exits non-zero", async () => {
    await write(".next/static/chunks/app.js.map", JSON.stringify({ version: 3, sources: ["app.tsx"], sourcesContent: ["secret source"] }));
    await write(".next/static/chunks/other.js", "(()=>{})();\n//# sourceMappingURL=other.js.map\n");
    await write(".next/static/chunks/inline.js", `(()=>{})();\n//# sourceMappingURL=data:application/json;base64,${Buffer.from("{}").toString("base64")}\n`);
    await write(".next/server/chunks/config.js", `const key = "${fakeAnthropicKey()}";\n`);
    await write(".env", "DATABASE_URL=postgresql://u:p@db/x\n");
    await write("config/.env.production", "X=1\n");
    await write("deploy/server.pem", "not really\n");
    await write("lib/fixture-key.txt", `${fakeKeyBlock()}\n`);
    await write("lib/settings.js", `export const token = "${fakeGithubToken()}";\n`);
    await write(".data/postgres.password", "x\n");
    await write("dist/index.js.map", "{}");

    const { code, stderr } = await checkScript(dir);
    expect(code).toBe(1);
    const expected: [string, RegExp][] = [
      [".next/static/chunks/app.js.map", /source map the server would serve/],
      [".next/static/chunks/other.js", /sourceMappingURL=other\.js\.map/],
      [".next/static/chunks/inline.js", /inline source map/],
      [".next/server/chunks/config.js", /Anthropic API key/],
      [".env", /environment file/],
      ["config/.env.production", /environment file/],
      ["deploy/server.pem", /key or certificate/],
      ["lib/fixture-key.txt", /private key block/],
      ["lib/settings.js", /GitHub token/],
      [".data/postgres.password", /data directory/],
      ["dist/index.js.map", /source map in the package/],
    ];
    for (const [file, problem] of expected) {
      const line = stderr.split("\n").find((l) => l.trim().startsWith(`${file}: `) && problem.test(l));
      expect(line, `${file} ${problem} in:\n${stderr}`).toBeDefined();
    }
    // The credential itself is never printed, only its first characters.
    expect(stderr).not.toMatch(/sk-ant-api03-[A-Za-z0-9]{20}/);
  });

  it("takes obvious stand-ins and bare armour lines for what they are", () => {
    const text = [
      `AKIA${"IOSFODNN7EXAMPLE"}`,
      `gh${"p"}_abcdefghijklmnopqrstuvwxyz0123456789AB`,
      `dsk_${"unknown".repeat(5)}`,
      `${dashes}BEGIN RSA PRIVATE KEY${dashes}\nMIIEow\n`,
      `sk-ant-${"x".repeat(30)}`,
    ].join("\n");
    expect(findShippedSecrets(text)).toEqual([]);
    expect(findShippedSecrets(fakeKeyBlock()).map((h) => h.kind)).toEqual(["private key block"]);
  });

  it("asks a running server for a chunk's map and expects 404", async () => {
    let serveMaps = true;
    const server = http.createServer((req, res) => {
      const url = req.url ?? "/";
      if (url === "/_next/static/chunks/app.js") return void res.end("(()=>{})();");
      if (url.endsWith(".map") && serveMaps) return void res.end("{}");
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const served = await checkServerMaps(dir, base);
      expect(served.map((f) => f.problem)).toEqual([expect.stringMatching(/answers 200 for a source map \(expected 404\)/)]);
      serveMaps = false;
      expect(await checkServerMaps(dir, base)).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("refuses to pass without a production build", async () => {
    await fs.rm(path.join(dir, ".next"), { recursive: true });
    expect(await checkBuild(dir)).toEqual([{ file: ".next", problem: expect.stringMatching(/run `next build`/) }]);
  });
});
