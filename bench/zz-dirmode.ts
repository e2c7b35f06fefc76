// Disk and time per session on a large repository: the way sessions were made before mirrors
// (the origin's base fetched with its whole history into a fresh host.git, then the workspace
// cloned from it with --no-hardlinks: two full copies) against the repository's mirror (host.git
// and the workspace borrow its objects: a session costs its checkout and what it adds).
// Runs on the lib functions the orchestrator calls, with a synthetic repository of ~150 MB packed
// history made with `git fast-import` (cached under the temporary directory; BENCH_BIGREPO_DIR
// puts it elsewhere). Sizes are disk usage (allocated blocks), like `du`.
import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { median, writeResult } from "./harness";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const COMMITS = 600; // each replaces one of FILES binary files with 256 KB of random bytes
const BLOB = 256 * 1024;
const FILES = 40;
const SOURCES = 2000; // small compressible text files, in the first commit

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-bench-disk-")); fs.mkdirSync(path.join(dataDir, "repos"), { recursive: true }); fs.writeFileSync(path.join(dataDir, "repos", "keep"), "");
process.env.DOCKSIDE_DATA_DIR = dataDir;
const { initHostRepo } = await import("../lib/git/host-repo");
const { ensureMirror } = await import("../lib/git/mirror");
const { cloneWorkspace, sessionPaths } = await import("../lib/git/workspace");
const { releaseMountsUnder } = await import("../lib/sandbox/mounts");

/** Makes (or reuses) the synthetic repository; resolves to its path. */
async function bigRepo(): Promise<{ dir: string; buildMs: number | null }> {
  const dir = process.env.BENCH_BIGREPO_DIR ?? path.join(os.tmpdir(), `dockside-bench-bigrepo-${COMMITS}x${BLOB}x${FILES}`);
  if (fs.existsSync(path.join(dir, ".complete"))) return { dir, buildMs: null };
  const t0 = performance.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  execFileSync("git", ["init", "-q", "-b", "main", tmp]);
  const fi = spawn("git", ["-C", tmp, "fast-import", "--quiet", "--done"], { stdio: ["pipe", "inherit", "inherit"] });
  const done = new Promise<void>((resolve, reject) => fi.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`fast-import exited with ${code}`)))));
  const write = (chunk: string | Buffer) => (fi.stdin.write(chunk) ? Promise.resolve() : new Promise<void>((r) => fi.stdin.once("drain", () => r())));
  const words = "const let function return import export from await async class interface type if else for while".split(" ");
  let t = 1_700_000_000;
  for (let c = 0; c < COMMITS; c++) {
    const message = `change ${c}\n`;
    await write(`commit refs/heads/main\ncommitter Bench <bench@example.com> ${t++} +0000\ndata ${Buffer.byteLength(message)}\n${message}`);
    if (c === 0) {
      for (let i = 0; i < SOURCES; i++) {
        const body = Array.from({ length: 60 }, (_, l) => `${words[(i + l) % words.length]} x${i}_${l} = ${l};`).join("\n") + "\n";
        await write(`M 100644 inline src/m${Math.floor(i / 100)}/f${i}.ts\ndata ${Buffer.byteLength(body)}\n${body}\n`);
      }
    }
    const blob = crypto.randomBytes(BLOB);
    await write(`M 100644 inline assets/bin${c % FILES}.dat\ndata ${blob.length}\n`);
    await write(blob);
    await write("\n");
  }
  await write("done\n");
  fi.stdin.end();
  await done;
  execFileSync("git", ["-C", tmp, "reset", "-q", "--hard", "main"]);
  fs.writeFileSync(path.join(tmp, ".git", "info", "exclude"), ".complete\n");
  fs.writeFileSync(path.join(tmp, ".complete"), "");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return { dir, buildMs: Math.round(performance.now() - t0) };
}

/** Disk usage of the files under `dir` (allocated blocks), never following a symlink. */
function du(dir: string, skip?: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (p === skip) continue;
    const st = fs.lstatSync(p);
    total += st.blocks * 512;
    if (e.isDirectory()) total += du(p, skip);
  }
  return total;
}
const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;

type Sample = { ms: number; hostGitMs: number; cloneMs: number; hostGit: number; workspaceGit: number; checkout: number };
function measure(id: string, t: number[]): Sample {
  const p = sessionPaths(dataDir, id);
  const wsGit = path.join(p.workspace, ".git");
  return { ms: t[2] - t[0], hostGitMs: t[1] - t[0], cloneMs: t[2] - t[1], hostGit: du(p.hostRepo), workspaceGit: du(wsGit), checkout: du(p.workspace, wsGit) };
}
const total = (s: Sample) => s.hostGit + s.workspaceGit + s.checkout;
const uid = 299_999;

try {
  const { dir: origin, buildMs } = await bigRepo();
  const repoPack = du(path.join(origin, ".git", "objects"));
  const commits = Number(execFileSync("git", ["-C", origin, "rev-list", "--count", "main"]).toString().trim());
  console.log(`[bench] repository: ${mb(repoPack)} MB of objects, ${commits} commits${buildMs ? ` (made in ${buildMs} ms)` : " (cached)"}`);

  // Before mirrors: initHostRepo fetches the base with its history; the workspace copies it all.
  const old: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    const id = `old${i}${crypto.randomBytes(4).toString("hex")}`;
    const t = [performance.now()];
    await initHostRepo(sessionPaths(dataDir, id).hostRepo, origin, "main", `dockside/${id.slice(0, 8)}`);
    t.push(performance.now());
    await cloneWorkspace(sessionPaths(dataDir, id), `dockside/${id.slice(0, 8)}`, uid, uid);
    t.push(performance.now());
    old.push(measure(id, t));
    console.log(`[bench] old session ${i}: ${mb(total(old[i]))} MB in ${Math.round(old[i].ms)} ms`);
  }

  // The mirror: made once per repository (the first session of it pays this)...
  const repositoryId = crypto.randomUUID();
  const m0 = performance.now();
  const mirror = await ensureMirror(repositoryId, origin);
  const mirrorCreateMs = performance.now() - m0;
  const mirrorBytes = du(mirror);
  // ...then every session: refresh (nothing new), host.git and workspace borrowing from it.
  const neu: Sample[] = [];
  const refresh: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const id = `new${i}${crypto.randomBytes(4).toString("hex")}`;
    const t = [performance.now()];
    await ensureMirror(repositoryId, origin);
    refresh.push(performance.now() - t[0]);
    await initHostRepo(sessionPaths(dataDir, id).hostRepo, origin, "main", `dockside/${id.slice(0, 8)}`, {}, { mirror });
    t.push(performance.now());
    await cloneWorkspace(sessionPaths(dataDir, id), `dockside/${id.slice(0, 8)}`, uid, uid, { mirror });
    t.push(performance.now());
    neu.push(measure(id, t));
    console.log(`[bench] new session ${i}: ${mb(total(neu[i]))} MB in ${Math.round(neu[i].ms)} ms (refresh ${Math.round(refresh[i])} ms)`);
  }

  const med = (xs: Sample[], f: (s: Sample) => number) => median(xs.map(f));
  const perSessionOld = med(old, total);
  const perSessionNew = med(neu, total);
  writeResult("zz-dirmode", {
    runs: RUNS,
    repo: { commits, files: SOURCES + FILES, checkoutMB: mb(med(neu, (s) => s.checkout)), synthetic: `${COMMITS} commits of ${BLOB / 1024} KB random bytes over ${FILES} files, ${SOURCES} small text files` },
    repoPackMB: mb(repoPack),
    perSessionOldMB: mb(perSessionOld),
    perSessionNewMB: mb(perSessionNew),
    ratio: Math.round((perSessionOld / perSessionNew) * 10) / 10,
    old: { hostGitMB: mb(med(old, (s) => s.hostGit)), workspaceGitMB: mb(med(old, (s) => s.workspaceGit)), checkoutMB: mb(med(old, (s) => s.checkout)) },
    new: { hostGitKB: Math.round(med(neu, (s) => s.hostGit) / 1024), workspaceGitKB: Math.round(med(neu, (s) => s.workspaceGit) / 1024), checkoutMB: mb(med(neu, (s) => s.checkout)) },
    startOldMs: Math.round(med(old, (s) => s.ms)),
    startNewMs: Math.round(med(neu, (s) => s.ms)),
    // host.git (the new way includes the mirror's refresh), then the workspace clone and checkout.
    startSplitMs: {
      old: { hostGit: Math.round(med(old, (s) => s.hostGitMs)), workspace: Math.round(med(old, (s) => s.cloneMs)) },
      new: { hostGit: Math.round(med(neu, (s) => s.hostGitMs)), workspace: Math.round(med(neu, (s) => s.cloneMs)) },
    },
    mirror: { MB: mb(mirrorBytes), createMs: Math.round(mirrorCreateMs), refreshNothingNewMs: Math.round(median(refresh)) },
    // Ten sessions of this repository on the host's disk, the mirror counted once.
    tenSessionsOldMB: mb(10 * perSessionOld),
    tenSessionsNewMB: mb(mirrorBytes + 10 * perSessionNew),
    startOldAllMs: old.map((s) => Math.round(s.ms)),
    startNewAllMs: neu.map((s) => Math.round(s.ms)),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  });
} finally {
  // The mirrors' filesystem is a loop mount where loop mounts work.
  await releaseMountsUnder(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
}
