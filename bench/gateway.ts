// Model gateway latency: time to first token of a streaming Messages call sent the way the worker
// sends it (HTTP over the session's channel socket, through the host gateway's checks, budget
// read and forwarding) side by side with the same call sent straight to the model stub (first
// token delay 0). Calls alternate between the two paths; ROUNDS rounds of CALLS calls each, the
// figures are the median over rounds with the spread (min–max).
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "../lib/db/embedded";
import { migrate } from "../lib/db/migrate";
import { startModelStub } from "../lib/modelstub/server";
import { writeResult } from "./harness";

const CALLS = Number(process.env.BENCH_GATEWAY_CALLS ?? 300);
const ROUNDS = Number(process.env.BENCH_GATEWAY_ROUNDS ?? 3);
const WARMUP = 30;
// A worker runs tools between its model calls, so the previous call's usage is stored by the next
// one ("between turns"); "back to back" sends the next call at once, while that usage is still
// being stored (the budget check counts it from memory: lib/sessions/budget.ts).
const MODES = [
  { mode: "between turns", gapMs: 100 },
  { mode: "back to back", gapMs: 0 },
];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-bench-gateway-"));
fs.chmodSync(dir, 0o755);
const embedded = await startEmbeddedPostgres(path.join(dir, "db"), Number(process.env.BENCH_GATEWAY_PG_PORT ?? 55781));
await migrate(embedded.url);
const stub = await startModelStub({ scripts: [{ match: "GWBENCH", steps: [{ blocks: [{ type: "text", text: "The first token, and a few more after it to stream." }] }] }] });
// Read by env() at first use: set before the session code runs.
Object.assign(process.env, {
  DATABASE_URL: embedded.url,
  DOCKSIDE_DATA_DIR: path.join(dir, "data"),
  ANTHROPIC_BASE_URL: stub.url,
  ANTHROPIC_API_KEY: "bench-key",
  // The benchmark's hundreds of calls a minute are not what the per-session rate limit is for.
  DOCKSIDE_GATEWAY_RPM: "1000000",
});
const { MODEL, openTestSession } = await import("../test/channel-client");
const { disconnectDb } = await import("../lib/db/client");

const body = JSON.stringify({
  model: MODEL,
  max_tokens: 1024,
  stream: true,
  system: "You are a coding agent in a sandbox.",
  tools: [{ name: "shell", description: "run a command", input_schema: { type: "object", properties: { command: { type: "string" } } } }],
  messages: [{ role: "user", content: [{ type: "text", text: "GWBENCH: say something" }] }],
});

/** Milliseconds until the first text delta arrives, and until the answer is complete. */
function call(target: http.RequestOptions): Promise<{ firstMs: number; totalMs: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    let firstMs = -1;
    const req = http.request({ ...target, method: "POST", path: "/v1/messages", headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", "content-length": Buffer.byteLength(body) } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
      let seen = "";
      res.on("data", (b: Buffer) => {
        if (firstMs >= 0) return;
        seen += b.toString("utf8");
        if (seen.includes("content_block_delta")) firstMs = performance.now() - t;
      });
      res.on("end", () => (firstMs < 0 ? reject(new Error("no text delta")) : resolve({ firstMs, totalMs: performance.now() - t })));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const med = (xs: number[]) => pct(xs, 0.5);
const r2 = (x: number) => Number(x.toFixed(2));

try {
  const session = await openTestSession({ status: "running" });
  // Both paths keep their connection, as the worker's SDK client and the gateway's fetch do.
  const direct: http.RequestOptions = { host: "127.0.0.1", port: stub.port, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
  const gateway: http.RequestOptions = { socketPath: session.socket, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
  for (let i = 0; i < WARMUP; i++) {
    await call(direct);
    await call(gateway);
  }
  const modes = [];
  for (const { mode, gapMs } of MODES) {
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) {
      const d: number[] = [];
      const g: number[] = [];
      const dTotal: number[] = [];
      const gTotal: number[] = [];
      for (let i = 0; i < CALLS; i++) {
        // Alternating, so a burst of load elsewhere on the machine falls on both paths alike.
        const [first, second] = i % 2 ? [direct, gateway] : [gateway, direct];
        const a = await call(first);
        const b = await call(second);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
        const [x, y] = first === direct ? [a, b] : [b, a];
        d.push(x.firstMs);
        g.push(y.firstMs);
        dTotal.push(x.totalMs);
        gTotal.push(y.totalMs);
      }
      const round = {
        direct: { medianMs: r2(med(d)), p90Ms: r2(pct(d, 0.9)), p95Ms: r2(pct(d, 0.95)), totalMedianMs: r2(med(dTotal)) },
        gateway: { medianMs: r2(med(g)), p90Ms: r2(pct(g, 0.9)), p95Ms: r2(pct(g, 0.95)), totalMedianMs: r2(med(gTotal)) },
      };
      console.log(`[bench] ${mode}, round ${r + 1}: first token direct ${round.direct.medianMs} ms (p90 ${round.direct.p90Ms}), through the gateway ${round.gateway.medianMs} ms (p90 ${round.gateway.p90Ms})`);
      rounds.push({ ...round, addedMedianMs: r2(round.gateway.medianMs - round.direct.medianMs), addedP90Ms: r2(round.gateway.p90Ms - round.direct.p90Ms), addedP95Ms: r2(round.gateway.p95Ms - round.direct.p95Ms) });
    }
    const added = rounds.map((r) => r.addedMedianMs);
    const added90 = rounds.map((r) => r.addedP90Ms);
    modes.push({
      mode,
      gapMs,
      addedMedianMs: { median: med(added), min: Math.min(...added), max: Math.max(...added) },
      addedP90Ms: { median: med(added90), min: Math.min(...added90), max: Math.max(...added90) },
      ratioMedian: r2(med(rounds.map((r) => r.gateway.medianMs / r.direct.medianMs))),
      rounds,
    });
  }
  await session.close();
  writeResult("gateway", {
    callsPerRound: CALLS,
    rounds: ROUNDS,
    target: { addedMedianMs: 2 },
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    results: modes,
  });
} finally {
  await stub.close();
  await disconnectDb();
  await embedded.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
