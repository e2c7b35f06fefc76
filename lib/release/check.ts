// Release hygiene: what a production build serves and what `npm pack` would publish must hold no
// source maps, environment files, keys or credentials. A shipped source map gave away a whole
// product's source once; this check makes that a failed build rather than a headline.
// Run by scripts/check-release.ts (after the build in `npm test`).
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { badFileName, findShippedSecrets, npmrcWithToken } from "./patterns";

const run = promisify(execFile);

export interface Finding {
  /** Relative to the checked root. */
  file: string;
  problem: string;
}

/** Build directories never shipped or served: the build cache and `next dev`'s output. */
const UNSHIPPED_NEXT_DIRS = new Set(["cache", "dev"]);
const MAP_COMMENT = /[/][/*][#@]\s*sourceMappingURL=(\S+?)(?:\s*\*\/)?\s*$/m;
const TEXT_LIMIT = 64 * 1024 * 1024;

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(() => true, () => false);
}

/** Files under `dir` (relative to it), without following symlinks; `skip` names top-level directories to leave out. */
export async function walk(dir: string, skip: ReadonlySet<string> = new Set()): Promise<string[]> {
  const out: string[] = [];
  const visit = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!(rel === "" && skip.has(e.name))) await visit(child);
      } else if (e.isFile()) out.push(child);
    }
  };
  await visit("");
  return out.sort();
}

async function readText(file: string): Promise<string | null> {
  const st = await fs.stat(file);
  if (st.size > TEXT_LIMIT) return null;
  return fs.readFile(file, "utf8");
}

async function scanContent(root: string, rel: string, findings: Finding[]): Promise<string | null> {
  const text = await readText(path.join(root, rel));
  if (text === null) return null;
  for (const hit of findShippedSecrets(text)) findings.push({ file: rel, problem: `holds ${hit.kind} (${hit.preview})` });
  return text;
}

/** Everything a browser can fetch: `.next/static` (under /_next/static) and `public/` (under /). */
async function checkServed(root: string, dir: string, findings: Finding[]): Promise<void> {
  for (const f of await walk(path.join(root, dir))) {
    const rel = `${dir}/${f}`;
    if (f.endsWith(".map")) findings.push({ file: rel, problem: "a source map the server would serve" });
    const text = await scanContent(root, rel, findings);
    if (text === null || !/\.(m?js|css)$/.test(f)) continue;
    const ref = MAP_COMMENT.exec(text.slice(-4096));
    if (!ref) continue;
    findings.push({
      file: rel,
      problem: ref[1].startsWith("data:") ? "carries an inline source map (sourceMappingURL=data:…)" : `points browsers at a source map (sourceMappingURL=${ref[1]})`,
    });
  }
}

/** The production build in `<root>/.next` (run `next build` first). */
export async function checkBuild(root: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  if (!(await exists(path.join(root, ".next", "BUILD_ID")))) {
    return [{ file: ".next", problem: "no production build here: run `next build` (npm run build) before the release check" }];
  }
  await checkServed(root, ".next/static", findings);
  if (await exists(path.join(root, "public"))) await checkServed(root, "public", findings);
  // The server bundle is not served, but it ships with the build: names and contents still count.
  // Its own source maps stay (stack traces); a secret inside one is caught by the content scan.
  for (const f of await walk(path.join(root, ".next"), UNSHIPPED_NEXT_DIRS)) {
    const rel = `.next/${f}`;
    const bad = badFileName(f);
    if (bad) findings.push({ file: rel, problem: `is ${bad}` });
    if (f.startsWith("server/")) await scanContent(root, rel, findings);
  }
  return findings;
}

/** The file list `npm pack` would put in the tarball (scripts not run). */
export async function packFileList(root: string): Promise<string[]> {
  const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const parsed = JSON.parse(stdout) as { files: { path: string }[] }[];
  return parsed.flatMap((p) => p.files.map((f) => f.path)).sort();
}

/** What `npm pack` would publish from `root`: names, source maps, registry tokens, secrets in contents. */
export async function checkPack(root: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const rel of await packFileList(root)) {
    const base = path.basename(rel);
    if (rel.endsWith(".map")) findings.push({ file: rel, problem: "a source map in the package" });
    const bad = badFileName(rel);
    if (bad) findings.push({ file: rel, problem: `is ${bad}` });
    const text = await scanContent(root, rel, findings);
    if (base === ".npmrc" && text !== null && npmrcWithToken(text)) findings.push({ file: rel, problem: "an .npmrc with registry credentials" });
  }
  return findings;
}

/**
 * Asks a running server for source maps: the map of one real chunk and every map the build holds.
 * Anything but 404 (or a SourceMap header on the chunk itself) means browsers can fetch the source.
 */
export async function checkServerMaps(root: string, baseUrl: string): Promise<Finding[]> {
  const files = await walk(path.join(root, ".next", "static"));
  const chunk = files.find((f) => f.endsWith(".js"));
  if (!chunk) return [{ file: ".next/static", problem: "no JavaScript chunk to ask the server about: build first" }];
  const at = (f: string) => new URL(`/_next/static/${f}`, baseUrl).toString();
  const findings: Finding[] = [];
  const js = await fetch(at(chunk));
  await js.arrayBuffer();
  if (!js.ok) findings.push({ file: at(chunk), problem: `the server answers ${js.status} for a chunk of this build: is it serving this build?` });
  if (js.headers.get("sourcemap") || js.headers.get("x-sourcemap")) findings.push({ file: at(chunk), problem: "served with a SourceMap header" });
  const maps = new Set([`${chunk}.map`, ...files.filter((f) => f.endsWith(".map"))]);
  for (const m of maps) {
    const res = await fetch(at(m));
    await res.arrayBuffer();
    if (res.status !== 404) findings.push({ file: at(m), problem: `the server answers ${res.status} for a source map (expected 404)` });
  }
  return findings;
}
