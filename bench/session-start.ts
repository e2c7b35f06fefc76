// Session start: POST /api/sessions → the worker's first model request, against a bare
// `docker run --rm IMAGE true` of the same image in the same run. Three kinds of start:
//  - bare: a repository without a setup script;
//  - cold: a repository whose setup script "installs" 3,000 files (the first session runs it and
//    caches the result);
//  - warm: the next sessions of that repository, which restore the cached environment instead.
import { execFileSync } from "node:child_process";
import { makeRepo } from "../test/fixtures";
import { imageTag } from "../lib/sandbox/image";
import { createSession, median, startBenchServer, writeResult, type BenchServer } from "./harness";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
// What a dependency install leaves: many small files (like node_modules), and it takes a while.
const SETUP = `mkdir -p node_modules/dep && for i in $(seq 1 3000); do echo "module.exports = $i;" > node_modules/dep/f$i.js; done && sleep 2`;

async function timeToFirstRequest(server: BenchServer, repo: string, tag: string): Promise<number> {
  const marker = `BENCH-START-${tag}-${Date.now()}`;
  server.stub.addScript({ match: marker, steps: [{ blocks: [{ type: "text", text: "ok" }] }] });
  const before = server.stub.requests.length;
  const wall0 = Date.now();
  await createSession(server, repo, marker);
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

const server = await startBenchServer(3411);
try {
  const repo = makeRepo({ "README.md": "# bench\n", "src/a.ts": "export const a = 1;\n" });
  const starts: number[] = [];
  for (let i = 0; i < RUNS; i++) starts.push(await timeToFirstRequest(server, repo, `bare-${i}`));

  // The first session registered the repository; the setup repository gets its script after one bare session.
  const envRepo = makeRepo({ "README.md": "# bench env\n", "package-lock.json": "{}\n" });
  await timeToFirstRequest(server, envRepo, "register");
  await setSetupScript(server, envRepo, SETUP);
  const cold = await timeToFirstRequest(server, envRepo, "cold");
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) warm.push(await timeToFirstRequest(server, envRepo, `warm-${i}`));

  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    execFileSync("docker", ["run", "--rm", imageTag(), "true"]);
    bare.push(performance.now() - t);
  }
  const m = median(starts);
  const b = median(bare);
  const w = median(warm);
  writeResult("session-start", {
    runs: RUNS,
    sessionStartMs: { median: Math.round(m), all: starts.map(Math.round) },
    bareDockerRunMs: { median: Math.round(b), all: bare.map(Math.round) },
    ratio: Number((m / b).toFixed(2)),
    setup: "3,000 files written by the setup script, then sleep 2 (a dependency install)",
    coldSetupStartMs: Math.round(cold),
    warmEnvironmentStartMs: { median: Math.round(w), all: warm.map(Math.round) },
    warmRatioToDockerRun: Number((w / b).toFixed(2)),
    warmRatioToBareSession: Number((w / m).toFixed(2)),
  });
} finally {
  await server.stop();
}
