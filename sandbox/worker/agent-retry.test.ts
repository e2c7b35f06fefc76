// The built worker against an API having a bad moment: the wait is in the log as a model.retry
// event and the turn carries on; the system prompt (with the repository's AGENTS.md, read as the
// agent) is built once and sent unchanged with every request, also after a restart.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { WorkerConfig } from "../../lib/protocol/worker";
import { startModelStub, type ModelStub } from "../../lib/modelstub/server";
import { startFakeHost, type FakeHost } from "./testing/fake-host";
import { testConfig } from "./testing/config";
import { gitIn, handOver, makeLayout, type Layout } from "./testing/layout";
import { buildWorker, startWorker, type WorkerProcess } from "./testing/worker-process";

const config: WorkerConfig = testConfig({ sessionId: "s-retry", teamInstructions: "Always answer in haiku." });

let layout: Layout;
let stub: ModelStub;
let host: FakeHost;
let worker: WorkerProcess;
const launch = () => startWorker({ socketPath: host.socketPath, stateDir: layout.stateDir, workspace: layout.workspace, home: layout.dir, inboxDir: layout.inbox });
const idles = () => host.events.filter((e) => e.type === "status" && e.data.status === "idle");
const systemOf = (i: number) => JSON.stringify((stub.requests[i].body as { system: unknown }).system);

beforeAll(async () => {
  buildWorker();
  layout = makeLayout("dockside-retry-");
  gitIn(layout.workspace)("init", "-q", "-b", "main");
  fs.writeFileSync(path.join(layout.workspace, "AGENTS.md"), "Run the tests with `make check`.\n");
  handOver(layout);
  stub = await startModelStub({
    scripts: [
      {
        match: "BUSY",
        steps: [
          { blocks: [{ type: "text", text: "Looked." }], error: { status: 529, type: "overloaded_error", message: "Overloaded" }, failTimes: 1 },
          { blocks: [{ type: "text", text: "Still here." }] },
        ],
      },
    ],
  });
  host = await startFakeHost({ dir: layout.run, config, modelUrl: stub.url });
  worker = launch();
});

afterAll(async () => {
  worker?.child.kill("SIGKILL");
  await host?.close();
  await stub?.close();
  fs.rmSync(layout.dir, { recursive: true, force: true });
});

it("shows the wait for an overloaded API and finishes the turn", async () => {
  host.sendMessage("BUSY: have a look");
  await host.waitFor(() => idles().length === 1);
  const retry = host.events.find((e) => e.type === "model.retry");
  expect(retry?.data).toMatchObject({ attempt: 1, status: 529, reason: expect.stringMatching(/^model overloaded \(529\), retrying in /) });
  expect(idles()[0].data).toEqual({ status: "idle" });
  expect(host.events.some((e) => e.type === "assistant.text" && e.data.text === "Looked.")).toBe(true);
});

it("sends one system prompt, with the repository's and the team's instructions, before and after a restart", async () => {
  expect(systemOf(0)).toContain("make check");
  expect(systemOf(0)).toContain("Always answer in haiku.");
  worker.child.kill("SIGTERM");
  expect(await worker.exited()).toBe(0);
  // Changed meanwhile: the session keeps the prompt it started with (the cached prefix).
  fs.writeFileSync(path.join(layout.workspace, "AGENTS.md"), "Something else entirely.\n");
  worker = launch();
  host.sendMessage("And again?");
  await host.waitFor(() => idles().length === 2);
  const last = stub.requests.length - 1;
  expect(systemOf(last)).toBe(systemOf(0));
});
