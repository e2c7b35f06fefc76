// A real worker process killed outright (SIGKILL) while its command prints and the host is not
// taking events: the next worker on the same state dir delivers every line it had, each once.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, expect, it } from "vitest";
import type { WorkerConfig } from "../../lib/protocol/worker";
import { startModelStub, type ModelStub } from "../../lib/modelstub/server";
import { startFakeHost, type FakeHost } from "./testing/fake-host";
import { testConfig } from "./testing/config";
import { gitIn, handOver, makeLayout, type Layout } from "./testing/layout";
import { buildWorker, startWorker, type WorkerProcess } from "./testing/worker-process";

const config: WorkerConfig = testConfig({ sessionId: "s-wal", shellTimeoutS: 120 });

const LINES = 20_000;
// Lines 1-300, then (once the test says go) the rest at full speed, then it waits to be told to end.
const COMMAND = [
  "for i in $(seq 1 300); do echo line-$i; done",
  "while [ ! -e go ]; do sleep 0.05; done",
  `seq 301 ${LINES} | sed 's/^/line-/'`,
  "echo all-print''ed", // the command (logged too) must not hold the marker itself
  "while [ ! -e end ]; do sleep 0.1; done",
].join("; ");

let rig: { host: FakeHost; stub: ModelStub; workers: WorkerProcess[]; layout: Layout } | undefined;

beforeAll(() => buildWorker());

afterEach(async () => {
  if (!rig) return;
  fs.writeFileSync(path.join(rig.layout.workspace, "end"), "");
  for (const w of rig.workers) w.child.kill("SIGKILL");
  // A killed worker cannot kill its command: it would wait for `end` forever (the directory is
  // removed below) as a process of the agent's uid on this machine. Kill every one of them.
  spawnSync("pkill", ["-KILL", "-U", String(rig.layout.uid)]);
  await rig.host.close();
  await rig.stub.close();
  fs.rmSync(rig.layout.dir, { recursive: true, force: true });
  rig = undefined;
});

const outputOf = (host: FakeHost) => host.events.flatMap((e) => (e.type === "tool.output" ? [e.data.text] : [])).join("");

it("delivers every event a worker killed by SIGKILL had been given, each exactly once", async () => {
  const layout = makeLayout("dockside-wal-");
  gitIn(layout.workspace)("init", "-q", "-b", "main");
  handOver(layout);
  const stub = await startModelStub({
    scripts: [{ match: "DURABLE", steps: [{ blocks: [{ type: "tool_use", name: "shell", input: { command: COMMAND } }] }, { blocks: [{ type: "text", text: "carried on" }] }] }],
  });
  const host = await startFakeHost({ dir: layout.run, config, modelUrl: stub.url });
  const launch = () => startWorker({ socketPath: host.socketPath, stateDir: layout.stateDir, workspace: layout.workspace, home: layout.dir, inboxDir: layout.inbox });
  rig = { host, stub, workers: [launch()], layout };

  host.sendMessage("DURABLE: print a lot");
  await host.waitFor(() => outputOf(host).includes("line-300\n"));
  host.holdEvents(true);
  fs.writeFileSync(path.join(layout.workspace, "go"), "");
  const log = path.join(layout.stateDir, "outbox.log");
  await host.waitFor(() => fs.readFileSync(log, "utf8").includes("all-printed"), 60_000);
  rig.workers[0].child.kill("SIGKILL");
  await rig.workers[0].exited();
  expect(outputOf(host)).not.toContain("line-301\n"); // none of the rest had reached the host

  host.holdEvents(false);
  rig.workers.push(launch());
  await host.waitFor(() => outputOf(host).includes("all-printed"), 60_000).catch((err) => {
    throw new Error(`${(err as Error).message}; the worker said: ${rig?.workers[1].stderr()}`);
  });
  const expected = Array.from({ length: LINES }, (_, i) => `line-${i + 1}\n`).join("") + "all-printed\n";
  expect(outputOf(host).startsWith(expected)).toBe(true);
  expect(outputOf(host).split("all-printed")).toHaveLength(2);
  await host.waitFor((events) => events.some((e) => e.type === "status" && e.data.status === "idle"), 60_000);
  expect(host.events.map((e) => e.wid)).toEqual(host.events.map((_, i) => i + 1));
});
