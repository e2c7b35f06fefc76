// The long session without the server, Docker or a production build: the built worker bundle
// against the test fake host and the model stub, in a temp workspace (run as root, like the
// worker tests). Same script, window and figures as bench/long-session.ts; quicker to run while
// the worker changes. Writes bench/results/long-session-worker.json.
import fs from "node:fs";
import path from "node:path";
import { startModelStub } from "../lib/modelstub/server";
import { startFakeHost } from "../sandbox/worker/testing/fake-host";
import { gitIn, handOver, makeLayout } from "../sandbox/worker/testing/layout";
import { writeResult } from "./harness";
import { COMMANDS, FINAL_TEXT, longRepoFiles, report, STEPS, WINDOW } from "./long-session-measure";

// worker-process.ts is written for vitest, which gives every module a __dirname; tsx runs this
// file as ES module, so it gets the one it needs from the global object.
Object.assign(globalThis, { __dirname: path.resolve(import.meta.dirname, "../sandbox/worker/testing") });
const { buildWorker, startWorker } = await import("../sandbox/worker/testing/worker-process");

const MODEL = process.env.BENCH_MODEL ?? "claude-sonnet-5-5";
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_S ?? 3600) * 1000;
const BRANCH = "dockside/bench";

if (process.env.BENCH_SKIP_BUILD !== "1") buildWorker();
const layout = makeLayout("dockside-bench-long-");
const git = gitIn(layout.workspace);
git("init", "-q", "-b", BRANCH);
for (const [name, content] of Object.entries(longRepoFiles())) {
  fs.mkdirSync(path.dirname(path.join(layout.workspace, name)), { recursive: true });
  fs.writeFileSync(path.join(layout.workspace, name), content);
}
git("add", "-A");
git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init");
handOver(layout);

const marker = `BENCH-LONG-${Date.now()}`;
const stub = await startModelStub({
  contextTokens: WINDOW,
  scripts: [{ match: marker, generate: { calls: STEPS, commands: COMMANDS, finalText: FINAL_TEXT } }],
});
// The orchestrator's configuration for a session, with the bench's window (lib/sessions/orchestrator.ts).
const config = {
  sessionId: "s-bench-long",
  model: MODEL,
  branch: BRANCH,
  baseCommit: git("rev-parse", "HEAD"),
  agentUid: layout.uid,
  agentGid: layout.gid,
  maxTurns: STEPS + 50,
  shellTimeoutS: 60,
  toolOutputCap: 30_000,
  maxTokens: 16_384,
  contextTokens: WINDOW,
  maxOutputTokens: 64_000,
  thinkingBudget: null,
  teamInstructions: "",
  agentEnv: {},
  environmentNote: "",
  memoryNote: "",
  routineKind: null,
  mcpStdio: [],
  mcpRemote: [],
};
const host = await startFakeHost({ dir: layout.run, config, modelUrl: stub.url });
const worker = startWorker({ socketPath: host.socketPath, stateDir: layout.stateDir, workspace: layout.workspace, home: layout.dir, inboxDir: layout.inbox });
try {
  const t0 = performance.now();
  host.sendMessage(`${marker}: run the steps you are given, one command at a time.`);
  const rested = await host
    .waitFor((events) => events.some((e) => e.type === "status" && e.data.status === "idle"), TIMEOUT_MS)
    .then(() => true, () => false);
  const seconds = (performance.now() - t0) / 1000;
  writeResult("long-session-worker", report(host.events, stub.requests, MODEL, { mode: "worker", rested, seconds: Math.round(seconds) }));
} finally {
  worker.child.kill("SIGKILL");
  await host.close();
  await stub.close();
  if (worker.stderr()) console.error(`worker stderr (tail):\n${worker.stderr().slice(-2000)}`);
  fs.rmSync(layout.dir, { recursive: true, force: true });
}
