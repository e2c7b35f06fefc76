// The worker when things go wrong: the model gateway refuses, a turn hits its limit, the host
// restarts in the middle of a turn. Each test runs its own worker and conversation.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { WorkerConfig } from "../../lib/protocol/worker";
import { startModelStub, type ModelStub } from "../../lib/modelstub/server";
import type { Script } from "../../lib/modelstub/script";
import { startFakeHost, type FakeHost } from "./testing/fake-host";
import { testConfig } from "./testing/config";
import { gitIn, handOver, makeLayout } from "./testing/layout";
import { buildWorker, startWorker, type WorkerProcess } from "./testing/worker-process";

const baseConfig: WorkerConfig = testConfig({ sessionId: "s-res" });

type Rig = { host: FakeHost; stub: ModelStub; worker: WorkerProcess; dir: string };
let rig: Rig | undefined;

async function setup(script: Script, config: Partial<WorkerConfig> = {}): Promise<Rig> {
  const layout = makeLayout("dockside-res-");
  gitIn(layout.workspace)("init", "-q", "-b", "main");
  handOver(layout);
  const stub = await startModelStub({ scripts: [script] });
  const host = await startFakeHost({ dir: layout.run, config: { ...baseConfig, ...config }, modelUrl: stub.url });
  const worker = startWorker({ socketPath: host.socketPath, stateDir: layout.stateDir, workspace: layout.workspace, home: layout.dir, inboxDir: layout.inbox });
  rig = { host, stub, worker, dir: layout.dir };
  return rig;
}

const idle = (host: FakeHost) =>
  host.waitFor((events) => events.some((e) => e.type === "status" && e.data.status === "idle"));

beforeAll(() => buildWorker());

afterEach(async () => {
  if (!rig) return;
  rig.worker.child.kill("SIGKILL");
  await rig.host.close();
  await rig.stub.close();
  fs.rmSync(rig.dir, { recursive: true, force: true });
  rig = undefined;
});

describe("the worker, when things go wrong", () => {
  it("passes the gateway's refusal on to the person and goes idle", async () => {
    const message = "no API key configured on the Dockside host";
    const { host, worker } = await setup({ match: "AUTH", steps: [{ error: { status: 401, type: "authentication_error", message } }] });
    host.sendMessage("AUTH: do something");
    await idle(host);
    const error = host.events.find((e) => e.type === "error");
    expect(error?.data).toMatchObject({ source: "model", message: expect.stringContaining(message) });
    const status = host.events[host.events.length - 1];
    expect(status).toMatchObject({ type: "status", data: { status: "idle", reason: expect.stringContaining(message) } });
    expect(worker.child.exitCode).toBeNull();
  });

  it("ends a turn at maxTurns model calls and says why", async () => {
    const step = { blocks: [{ type: "tool_use" as const, name: "shell", input: { command: "true" } }] };
    const { host, stub } = await setup({ match: "LOOP", steps: [step, step, step, step] }, { maxTurns: 2 });
    host.sendMessage("LOOP forever");
    await idle(host);
    expect(stub.requests).toHaveLength(2);
    const status = host.events[host.events.length - 1];
    expect(status).toMatchObject({ type: "status", data: { status: "idle", reason: expect.stringMatching(/after 2 model calls/) } });
  });

  it("loses no event when the host restarts in the middle of a turn", async () => {
    const command = "for i in $(seq 1 25); do echo line $i; sleep 0.08; done";
    const { host } = await setup({
      match: "RESTART",
      steps: [{ blocks: [{ type: "tool_use", name: "shell", input: { command } }] }, { blocks: [{ type: "text", text: "done" }] }],
    });
    host.sendMessage("RESTART test");
    await host.waitFor((events) => events.some((e) => e.type === "tool.output"));
    await host.restart(800);
    await idle(host);
    expect(host.events.map((e) => e.wid)).toEqual(host.events.map((_, i) => i + 1));
    const output = host.events.flatMap((e) => (e.type === "tool.output" ? [e.data.text] : [])).join("");
    expect(output).toBe(Array.from({ length: 25 }, (_, i) => `line ${i + 1}\n`).join(""));
    expect(host.events.some((e) => e.type === "assistant.text" && e.data.text === "done")).toBe(true);
  });

  it("stops a streaming model answer at once when interrupted, keeping no half message", async () => {
    const text = "word ".repeat(100);
    const { host, worker, dir } = await setup({ match: "SLOW", steps: [{ blocks: [{ type: "text", text, chunkSize: 5, chunkDelayMs: 100 }] }] });
    host.sendMessage("SLOW answer please");
    await host.waitFor((events) => events.some((e) => e.type === "assistant.text"));
    const started = Date.now();
    host.interrupt();
    expect(await worker.exited()).toBe(0);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(host.events[host.events.length - 1]).toMatchObject({ type: "status", data: { status: "stopped" } });
    const saved = JSON.parse(fs.readFileSync(path.join(dir, "run/state/agent.json"), "utf8")) as { messages: { role: string }[] };
    expect(saved.messages.map((m) => m.role)).toEqual(["user"]);
  });

  it("fails with a reason and exit code 1 when the host's config is invalid", async () => {
    const { host, worker } = await setup({ match: "x", steps: [] }, { maxTurns: 0 });
    expect(await worker.exited()).toBe(1);
    expect(host.events[host.events.length - 1]).toMatchObject({ type: "status", data: { status: "failed", reason: expect.stringMatching(/invalid worker config/) } });
  });
});
