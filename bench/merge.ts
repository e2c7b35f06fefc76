// Merge of a large diff (issue 14): a real session whose agent rewrites ~1,715 files (~8 MB of
// diff), merged through the API. Measures the time to the 202 (the request) and the job's total
// time (202 → merged, read as any watcher reads it), with the time spent in each step (from
// polling the merge every 50 ms), against a raw `git merge --no-ff` of the same range in a plain
// repository (ratio). A fresh session per run (a merged session cannot merge again).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { makeRepo, waitFor } from "../test/fixtures";
import { median, startBenchServer, writeResult, type BenchServer } from "./harness";

const DIRS = 35;
const FILES_PER_DIR = 49; // 1,715 files
const LINES = 60;
const RUNS = Number(process.env.BENCH_MERGE_RUNS ?? 3);
const AGENT_COMMAND = `find src -name '*.txt' -exec sed -i 's/value/VALUE/' {} +`;

function baseFiles(): Record<string, string> {
  const files: Record<string, string> = { "README.md": "# merge bench\n" };
  for (let d = 0; d < DIRS; d++) {
    for (let f = 0; f < FILES_PER_DIR; f++) {
      const lines = Array.from({ length: LINES }, (_, i) => `line ${i} of ${d}/${f}: value ${i * 7} and some more text`);
      files[`src/d${String(d).padStart(2, "0")}/f${String(f).padStart(2, "0")}.txt`] = lines.join("\n") + "\n";
    }
  }
  return files;
}

const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=b", "-c", "user.email=b@b", "-C", cwd, ...args], { encoding: "utf8", maxBuffer: 64 << 20 }).trim();

async function call<T>(server: BenchServer, method: string, p: string, body?: unknown): Promise<{ status: number; body: T }> {
  const r = await fetch(`${server.url}${p}`, { method, headers: { "content-type": "application/json", cookie: server.cookie, origin: server.url }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as T };
}

type Merge = { id: string; state: string; step: string; sha: string | null; error: string | null };

/** A raw `git merge --no-ff` of the same change in a plain clone (work tree updated, like the origin's). */
function rawMerge(origin: string, base: string): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "merge-raw-"));
  git(os.tmpdir(), "clone", "-q", origin, dir);
  git(dir, "reset", "-q", "--hard", base);
  git(dir, "checkout", "-q", "-b", "work");
  execFileSync("sh", ["-c", AGENT_COMMAND], { cwd: dir });
  git(dir, "commit", "-qam", "work");
  git(dir, "checkout", "-q", "main");
  const t = performance.now();
  git(dir, "merge", "-q", "--no-ff", "-m", "raw", "work");
  const ms = performance.now() - t;
  fs.rmSync(dir, { recursive: true, force: true });
  return ms;
}

const server = await startBenchServer(3451);
try {
  const runs: { to202Ms: number; totalMs: number; steps: Record<string, number> }[] = [];
  const raws: number[] = [];
  let diffBytes = 0;
  let files = 0;
  for (let i = 0; i < RUNS; i++) {
    const origin = makeRepo(baseFiles());
    const marker = `BENCH-MERGE-${Date.now()}-${i}`;
    server.stub.addScript({ match: marker, steps: [{ blocks: [{ type: "tool_use", name: "shell", input: { command: AGENT_COMMAND } }] }, { blocks: [{ type: "text", text: "done" }] }] });
    const s = await call<{ id: string }>(server, "POST", "/api/sessions", { repo: origin, prompt: `${marker} rewrite` });
    if (s.status !== 201) throw new Error(`create: ${s.status} ${JSON.stringify(s.body)}`);
    const id = s.body.id;
    const m = await waitFor(
      async () => {
        const r = await call<{ commits: number; files: number; blocked: string | null }>(server, "GET", `/api/sessions/${id}/mergeability`);
        return r.status === 200 && r.body.commits > 0 && !r.body.blocked ? r.body : null;
      },
      "the agent's checkpoint, mergeable",
      300_000,
    );
    files = m.files;
    // (The review page asked for the mergeability above, as a person's page would before Merge.)
    const t0 = performance.now();
    const started = await call<{ merge: Merge }>(server, "POST", `/api/sessions/${id}/merge`, { strategy: "merge" });
    const to202Ms = performance.now() - t0;
    if (started.status !== 202) throw new Error(`merge: ${started.status} ${JSON.stringify(started.body)}`);
    const steps: Record<string, number> = {};
    let step = started.body.merge.step;
    let since = performance.now();
    let done: Merge;
    for (;;) {
      const r = await call<{ merge: Merge }>(server, "GET", `/api/sessions/${id}/merge`);
      const now = performance.now();
      if (r.body.merge.step !== step) {
        steps[step] = Math.round((steps[step] ?? 0) + now - since);
        step = r.body.merge.step;
        since = now;
      }
      if (r.body.merge.state === "merged" || r.body.merge.state === "failed") {
        done = r.body.merge;
        break;
      }
      await new Promise((res) => setTimeout(res, 50));
    }
    const totalMs = performance.now() - t0;
    if (done.state !== "merged") throw new Error(`merge failed: ${done.error}`);
    diffBytes = Buffer.byteLength(git(origin, "diff", `${done.sha}^1`, done.sha!));
    runs.push({ to202Ms: Math.round(to202Ms), totalMs: Math.round(totalMs), steps });
    raws.push(Math.round(rawMerge(origin, git(origin, "rev-parse", `${done.sha}^1`))));
    console.log(`[merge] run ${i + 1}: 202 in ${Math.round(to202Ms)} ms, merged in ${Math.round(totalMs)} ms (${JSON.stringify(steps)}); raw git merge ${raws[i]} ms`);
  }
  const total = runs.map((r) => r.totalMs);
  const to202 = runs.map((r) => r.to202Ms);
  writeResult("merge", {
    load: os.loadavg().map((x) => Math.round(x * 10) / 10),
    diff: { files, bytes: diffBytes },
    runs,
    to202Ms: { median: median(to202), min: Math.min(...to202), max: Math.max(...to202) },
    jobTotalMs: { median: median(total), min: Math.min(...total), max: Math.max(...total) },
    rawGitMergeMs: { median: median(raws), min: Math.min(...raws), max: Math.max(...raws) },
    // How many times the raw merge the whole job takes (1 = as fast as git itself).
    ratio: Math.round((median(total) / median(raws)) * 100) / 100,
  });
} catch (err) {
  console.error(`[merge] failed; the server's last lines:\n${server.log().slice(-4000)}`);
  throw err;
} finally {
  await server.stop();
}
