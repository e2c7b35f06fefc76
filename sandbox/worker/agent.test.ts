// The built worker bundle as a child process against a fake host and the scripted model stub,
// in a temp git workspace owned by a uid of its own (the worker runs as root, as in its container):
// events and wids, tools, checkpoint bundles, queued follow-ups, interrupt, restart.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkerConfig } from "../../lib/protocol/worker";
import { startModelStub, type ModelStub } from "../../lib/modelstub/server";
import type { WorkerEvent } from "./outbox";
import { startFakeHost, type FakeHost } from "./testing/fake-host";
import { gitIn, handOver, makeLayout, unbundle, type Layout } from "./testing/layout";
import { buildWorker, startWorker, type WorkerProcess } from "./testing/worker-process";
import { testConfig } from "./testing/config";

let layout: Layout;
let config: WorkerConfig;
const baseConfig = testConfig({ branch: "dockside/test" });

const script = {
  match: "TASK-1",
  steps: [
    {
      blocks: [
        { type: "text" as const, text: "Let me look around and write the file." },
        { type: "tool_use" as const, name: "shell", input: { command: "echo hello from shell; id -u; ls" } },
        { type: "tool_use" as const, name: "write_file", input: { path: "hello.txt", content: "hi\n" } },
      ],
    },
    { blocks: [{ type: "text" as const, text: "Done: hello.txt is there." }] },
    // Turn 2: a follow-up is sent while this command runs.
    { blocks: [{ type: "tool_use" as const, name: "shell", input: { command: "sleep 1.5; echo slept" } }] },
    { blocks: [{ type: "text" as const, text: "Took the follow-up into account." }] },
    // Turn 3: interrupted during the long command.
    { blocks: [{ type: "tool_use" as const, name: "shell", input: { command: "sleep 30" } }] },
    // Turn 4, after a restart.
    { blocks: [{ type: "text" as const, text: "Back again." }] },
  ],
};

let workspace: string;
let stub: ModelStub;
let host: FakeHost;
let worker: WorkerProcess;

const git = (...args: string[]) => gitIn(workspace)(...args);
const types = (events: WorkerEvent[]) => events.map((e) => e.type);
const idleCount = (events: WorkerEvent[]) => events.filter((e) => e.type === "status" && e.data.status === "idle").length;

const launch = () =>
  startWorker({ socketPath: host.socketPath, stateDir: layout.stateDir, workspace, home: layout.dir, inboxDir: layout.inbox });

beforeAll(async () => {
  buildWorker();
  layout = makeLayout("dockside-agent-");
  workspace = layout.workspace;
  git("init", "-q", "-b", baseConfig.branch);
  fs.writeFileSync(path.join(workspace, "README.md"), "# test\n");
  git("add", "-A");
  git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init");
  git("clone", "-q", "--bare", workspace, path.join(layout.dir, "origin.git"));
  handOver(layout);
  config = { ...baseConfig, baseCommit: git("rev-parse", "HEAD"), agentUid: layout.uid, agentGid: layout.gid };
  stub = await startModelStub({ scripts: [script] });
  host = await startFakeHost({ dir: layout.run, config, modelUrl: stub.url });
  worker = launch();
});

afterAll(async () => {
  worker?.child.kill("SIGKILL");
  await host?.close();
  await stub?.close();
  if (worker?.stderr()) console.log(`worker stderr:\n${worker.stderr()}`);
  fs.rmSync(layout.dir, { recursive: true, force: true });
});

describe("the worker", () => {
  it("runs a turn as the agent's uid: events in order with wids 1..n, tools, and the checkpoint handed over as a bundle", async () => {
    host.sendMessage("TASK-1: please create hello.txt saying hi");
    await host.waitFor((events) => idleCount(events) === 1);
    const { events } = host;
    expect(events.map((e) => e.wid)).toEqual(events.map((_, i) => i + 1));
    expect(host.received).toEqual([...new Set(host.received)].sort((a, b) => a - b));

    const order = types(events).filter((t, i, all) => t !== all[i - 1]);
    expect(order).toEqual([
      "status",
      "assistant.text",
      "tool.call",
      "tool.output",
      "tool.result",
      "tool.call",
      "tool.result",
      "assistant.text",
      "status",
    ]);
    const text = events.flatMap((e) => (e.type === "assistant.text" ? [e.data.text] : [])).join("");
    expect(text).toBe("Let me look around and write the file.Done: hello.txt is there.");
    const output = events.flatMap((e) => (e.type === "tool.output" ? [e.data.text] : [])).join("");
    expect(output).toContain(`hello from shell\n${layout.uid}\n`);
    const results = events.flatMap((e) => (e.type === "tool.result" ? [e.data] : []));
    expect(results[0]).toMatchObject({ isError: false, exitCode: 0 });
    expect(results[1].output).toMatch(/Created hello.txt/);

    expect(fs.statSync(path.join(workspace, "hello.txt")).uid).toBe(layout.uid);

    // The checkpoint: committed as the agent, handed over after the turn's events, before idle.
    const head = git("rev-parse", "HEAD");
    expect(git("rev-parse", "--abbrev-ref", "HEAD")).toBe(config.branch);
    expect(host.checkpoints.map((c) => [c.sha, c.eventsBefore])).toEqual([[head, events.length - 1]]);
    const got = unbundle(host.checkpoints[0].bundle, config.branch, path.join(layout.dir, "origin.git"));
    expect(got.head).toBe(head);
    expect(got.git("log", "-1", "--format=%an <%ae>", head)).toBe("Dockside Agent <agent@dockside.invalid>");
    const message = got.git("log", "-1", "--format=%B", head);
    expect(message.split("\n")[0]).toBe("TASK-1: please create hello.txt saying hi");
    expect(message).toContain("A hello.txt");
    expect(message).toContain("$ echo hello from shell; id -u; ls");
    expect(got.git("show", `${head}:hello.txt`)).toBe("hi");
    fs.rmSync(got.repo, { recursive: true, force: true });

    // The gateway path: the SDK request went over the socket, the key was the gateway's.
    expect(stub.requests).toHaveLength(2);
    expect(stub.requests[0].headers["x-api-key"]).toBe("key-added-by-gateway");
  });

  it("delivers a follow-up sent during a turn at the next step", async () => {
    const before = host.events.length;
    host.sendMessage("Now wait a bit.");
    await host.waitFor((events) => events.slice(before).some((e) => e.type === "tool.call"));
    host.sendMessage("FOLLOW-UP: and mention it.");
    await host.waitFor((events) => idleCount(events) === 2);

    const request = stub.requests[3].body as { messages: { role: string; content: { type: string; text?: string }[] }[] };
    const last = request.messages[request.messages.length - 1];
    expect(last.role).toBe("user");
    expect(last.content.map((b) => b.type)).toEqual(["tool_result", "text"]);
    expect(last.content[1].text).toBe("FOLLOW-UP: and mention it.");
    // No files changed in this turn: nothing new handed over.
    expect(host.checkpoints).toHaveLength(1);
  });

  it("stops within a couple of seconds when interrupted during a long command", async () => {
    const before = host.events.length;
    host.sendMessage("Sleep for a long time.");
    await host.waitFor((events) => events.slice(before).some((e) => e.type === "tool.call"));
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    host.interrupt();
    expect(await worker.exited()).toBe(0);
    expect(Date.now() - started).toBeLessThan(2500);

    const tail = host.events.slice(before);
    const result = tail.find((e) => e.type === "tool.result");
    expect(result?.type === "tool.result" && result.data.output).toMatch(/interrupted/);
    expect(tail[tail.length - 1]).toMatchObject({ type: "status", data: { status: "stopped" } });
  });

  it("continues the conversation after a restart, with wids still increasing", async () => {
    const lastWid = host.events[host.events.length - 1].wid;
    worker = launch();
    host.sendMessage("Are you back?");
    await host.waitFor((events) => events.some((e) => e.wid > lastWid && e.type === "status" && e.data.status === "idle"));
    expect(host.events.map((e) => e.wid)).toEqual(host.events.map((_, i) => i + 1));
    const request = stub.requests[stub.requests.length - 1].body as { messages: { role: string }[] };
    expect(request.messages.filter((m) => m.role === "assistant")).toHaveLength(5);
    const text = host.events.filter((e) => e.wid > lastWid).flatMap((e) => (e.type === "assistant.text" ? [e.data.text] : []));
    expect(text.join("")).toBe("Back again.");

    worker.child.kill("SIGTERM");
    expect(await worker.exited()).toBe(0);
  });
});
