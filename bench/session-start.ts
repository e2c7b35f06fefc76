// Session start: POST /api/sessions → the worker's first model request, against a bare
// `docker run --rm --network none IMAGE true` of the same image in the same run. Three kinds of start:
//  - bare: a repository without a setup script;
//  - cold: a repository whose setup script "installs" 3,000 files (the first session runs it and
//    caches the result);
//  - warm: the next sessions of that repository, which restore the cached environment instead;
//  - pooled: bare starts on a second server with DOCKSIDE_WARM_POOL=2 (lib/sandbox/warm-pool.ts),
//    each claiming a sandbox started ahead (the bench waits for the refill between starts).
// The server writes each launch's steps (lib/sandbox/start-steps.ts); their medians are the breakdown.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { docker } from "../lib/sandbox/docker";
import { INSTANCE_LABEL, POOL_LABEL, SESSION_LABEL } from "../lib/sandbox/container";
import { makeRepo } from "../test/fixtures";
import { imageTag } from "../lib/sandbox/image";
import { createSession, median, startBenchServer, writeResult, type BenchServer } from "./harness";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
// Several checkouts may bench at once on one machine: each on its own ports.
const PORT = 3411 + Number(process.env.BENCH_PORT_OFFSET ?? 0);
// What a dependency install leaves: many small files (like node_modules), and it takes a while.
const SETUP = `mkdir -p node_modules/dep && for i in $(seq 1 3000); do echo "module.exports = $i;" > node_modules/dep/f$i.js; done && sleep 2`;

const STEPS_FILE = "start-steps.jsonl";
const started = new Set<string>();

async function timeToFirstRequest(server: BenchServer, repo: string, tag: string): Promise<number> {
  const marker = `BENCH-START-${tag}-${Date.now()}`;
  server.stub.addScript({ match: marker, steps: [{ blocks: [{ type: "text", text: "ok" }] }] });
  const before = server.stub.requests.length;
  const wall0 = Date.now();
  started.add((await createSession(server, repo, marker)).id);
  for (;;) {
    const req = server.stub.requests.slice(before).find((r) => JSON.stringify(r.body).includes(marker));
    if (req) return req.at - wall0;
    if (Date.now() - wall0 > 120_000) throw new Error("no model request within 120 s");
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function setSetupScript(server: BenchServer, repo: string, script: string): Promise<void> {
  const list = (await (await fetch(`${server.url}/api/repos`, { headers: { cookie: server.cookie } })).json()) as { repositories: { id: string; source: string }[] };
  const reg = list.repositories.find((r) => r.source === repo);
  if (!reg) throw new Error(`${repo} is not registered`);
  const r = await fetch(`${server.url}/api/repos/${reg.id}`, {
    method: "PATCH",
    headers: { "content-type": "application/json", cookie: server.cookie, origin: server.url },
    body: JSON.stringify({ setupScript: script }),
  });
  if (!r.ok) throw new Error(`PATCH /api/repos failed: ${r.status} ${await r.text()}`);
}

/** Unclaimed pool sandboxes of a bench server. */
async function poolReady(server: BenchServer): Promise<number> {
  const list = await docker().listContainers({ filters: { label: [POOL_LABEL, `${INSTANCE_LABEL}=${path.join(server.dir, "data")}`] } });
  return list.filter((c) => !started.has(c.Labels[SESSION_LABEL])).length;
}

async function waitPool(server: BenchServer, size: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await poolReady(server)) < size) {
    if (Date.now() > deadline) throw new Error("the warm pool did not fill within 120 s");
    await new Promise((r) => setTimeout(r, 100));
  }
}

type StepsLine = { sessionId: string; totalMs?: number; steps?: Record<string, number>; worker?: Record<string, number> };

/**
 * Median of each launch step (ms) over the launches the server recorded, then (`worker …`) when
 * the worker first asked for each channel endpoint, in ms since the launch began: the start's
 * part inside the sandbox, up to its first model request.
 */
function breakdown(server: BenchServer, ids: string[]): Record<string, number> {
  const file = path.join(server.dir, "data", STEPS_FILE);
  const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as StepsLine) : [];
  const mine = lines.filter((l) => ids.includes(l.sessionId));
  const launches = mine.filter((l) => l.steps);
  const workers = mine.filter((l) => l.worker);
  const names = [...new Set(launches.flatMap((l) => Object.keys(l.steps!)))];
  const requests = [...new Set(workers.flatMap((l) => Object.keys(l.worker!)))];
  return Object.fromEntries([
    ...names.map((n) => [n, median(launches.map((l) => l.steps![n] ?? 0))] as const),
    ["launchTotal", median(launches.map((l) => l.totalMs ?? 0))] as const,
    ...requests.map((r) => [`worker ${r} at`, median(workers.flatMap((l) => (l.worker![r] === undefined ? [] : [l.worker![r]])))] as const),
  ]);
}

async function startServer(port: number, warmPool: number): Promise<BenchServer> {
  process.env.DOCKSIDE_WARM_POOL = String(warmPool);
  // Relative: in each bench server's own data directory.
  process.env.DOCKSIDE_START_STEPS_FILE = STEPS_FILE;
  // SESSION_START_PROFILE_DIR=<dir>: the server's CPU profile goes there; each start's `monoT0Us`
  // in the steps file cuts it to that start (bench/profile-window.ts).
  const dir = process.env.SESSION_START_PROFILE_DIR;
  return startBenchServer(port, dir ? { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`] } : {});
}

const spread = (xs: number[]) => ({ median: Math.round(median(xs)), min: Math.round(Math.min(...xs)), max: Math.round(Math.max(...xs)), all: xs.map(Math.round) });

// SESSION_START_ONLY=bare|pooled: only the bare starts (with their `docker run`s), or only the
// warm-pool starts (no ratio then): a quick look while working on one (bench/results/session-start-<kind>.json).
const ONLY = process.env.SESSION_START_ONLY;
const repo = makeRepo({ "README.md": "# bench\n", "src/a.ts": "export const a = 1;\n" });
const result: Record<string, unknown> = { runs: RUNS };
if (ONLY !== "pooled") {
  const ordinary = await startServer(PORT, 0);
  try {
    // Side by side in one run: a bare `docker run` between the session starts it is compared with.
    const starts: number[] = [];
    const bare: number[] = [];
    const dockerRun = () => {
      const t = performance.now();
      // No network, like a sandbox (and this host has no docker0 bridge).
      execFileSync("docker", ["run", "--rm", "--network", "none", imageTag(), "true"]);
      bare.push(performance.now() - t);
    };
    for (let i = 0; i < RUNS; i++) {
      starts.push(await timeToFirstRequest(ordinary, repo, `bare-${i}`));
      dockerRun();
    }
    // The first start registers the repository (a one-time cost): left out of the breakdown.
    const bareIds = [...started];

    if (ONLY !== "bare") {
      // The first session registered the repository; the setup repository gets its script after one bare session.
      const envRepo = makeRepo({ "README.md": "# bench env\n", "package-lock.json": "{}\n" });
      await timeToFirstRequest(ordinary, envRepo, "register");
      await setSetupScript(ordinary, envRepo, SETUP);
      const cold = await timeToFirstRequest(ordinary, envRepo, "cold");
      const warm: number[] = [];
      for (let i = 0; i < RUNS; i++) warm.push(await timeToFirstRequest(ordinary, envRepo, `warm-${i}`));
      const w = median(warm);
      Object.assign(result, {
        setup: "3,000 files written by the setup script, then sleep 2 (a dependency install)",
        coldSetupStartMs: Math.round(cold),
        warmEnvironmentStartMs: spread(warm),
        warmRatioToDockerRun: Number((w / median(bare)).toFixed(2)),
        warmRatioToBareSession: Number((w / median(starts)).toFixed(2)),
      });
    }
    Object.assign(result, {
      sessionStartMs: spread(starts),
      bareDockerRunMs: spread(bare),
      ratio: Number((median(starts) / median(bare)).toFixed(2)),
      sessionStartStepsMs: breakdown(ordinary, bareIds.slice(1)),
    });
  } finally {
    await ordinary.stop();
  }
}

if (ONLY !== "bare") {
  const pooledServer = await startServer(PORT + 1, 2);
  try {
    await timeToFirstRequest(pooledServer, repo, "pooled-register");
    const ids: string[] = [];
    const pooled: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await waitPool(pooledServer, 2);
      const before = new Set(started);
      pooled.push(await timeToFirstRequest(pooledServer, repo, `pooled-${i}`));
      ids.push(...[...started].filter((id) => !before.has(id)));
    }
    const p = median(pooled);
    const b = (result.bareDockerRunMs as { median: number } | undefined)?.median;
    Object.assign(result, {
      warmPoolSize: 2,
      pooledStartMs: spread(pooled),
      ...(b ? { pooledRatioToDockerRun: Number((p / b).toFixed(2)) } : {}),
      pooledStartStepsMs: breakdown(pooledServer, ids),
    });
  } finally {
    await pooledServer.stop();
  }
}
writeResult(ONLY ? `session-start-${ONLY}` : "session-start", result);
