// Session start: POST /api/sessions → the worker's first model request, against a bare
// `docker run --rm IMAGE true` of the same image in the same run.
import { execFileSync } from "node:child_process";
import { makeRepo } from "../test/fixtures";
import { imageTag } from "../lib/sandbox/image";
import { createSession, median, startBenchServer, writeResult } from "./harness";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const server = await startBenchServer(3411);
try {
  const repo = makeRepo({ "README.md": "# bench\n", "src/a.ts": "export const a = 1;\n" });
  const starts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const marker = `BENCH-START-${i}-${Date.now()}`;
    server.stub.addScript({ match: marker, steps: [{ blocks: [{ type: "text", text: "ok" }] }] });
    const before = server.stub.requests.length;
    const t0 = performance.now();
    const wall0 = Date.now();
    await createSession(server, repo, marker);
    for (;;) {
      const req = server.stub.requests.slice(before).find((r) => JSON.stringify(r.body).includes(marker));
      if (req) {
        starts.push(req.at - wall0);
        break;
      }
      if (performance.now() - t0 > 60_000) throw new Error("no model request within 60 s");
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    execFileSync("docker", ["run", "--rm", imageTag(), "true"]);
    bare.push(performance.now() - t);
  }
  const m = median(starts);
  const b = median(bare);
  writeResult("session-start", {
    runs: RUNS,
    sessionStartMs: { median: Math.round(m), all: starts.map(Math.round) },
    bareDockerRunMs: { median: Math.round(b), all: bare.map(Math.round) },
    ratio: Number((m / b).toFixed(2)),
  });
} finally {
  await server.stop();
}
