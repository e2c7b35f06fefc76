// The built worker bundle as a child process against a fake host and the scripted model stub,
// in a temp git workspace: events and wids, tools, commits, queued follow-ups, interrupt, restart.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkerConfig } from "../../lib/protocol/worker";
import { startModelStub, type ModelStub } from "../../lib/modelstub/server";
import type { WorkerEvent } from "./outbox";
import { startFakeHost, type FakeHost } from "./testing/fake-host";
import { buildWorker, startWorker, type WorkerProcess } from "./testing/worker-process";

const config: WorkerConfig = {
  sessionId: "s-test",
  model: "claude-test",
  branch: "dockside/test",
  maxTurns: 10,
  shellTimeoutS: 60,
  toolOutputCap: 4000,
  maxTokens: 2000,
};

const script = {
  match: "TASK-1",
  steps: [
    {
      blocks: [
        { type: "text" as const, text: "Let me look around and write the file." },
        { type: "tool_use" as const, name: "shell", input: { command: "echo hello from shell; ls" } },
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

let dir: string;
let workspace: string;
let stub: ModelStub;
let host: FakeHost;
let worker: WorkerProcess;

const git = (...args: string[]) => execFileSync("git", args, { cwd: workspace, encoding: "utf8" }).trim();
const types = (events: WorkerEvent[]) => events.map((e) => e.type);
const idleCount = (events: WorkerEvent[]) => events.filter((e) => e.type === "status" && e.data.status === "idle").length;

const launch = () =>
  startWorker({ socketPath: host.socketPath, stateDir: path.join(dir, "state"), workspace, home: dir });

beforeAll(async () => {
  buildWorker();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-agent-"));
  workspace = path.join(dir, "workspace");
  fs.mkdirSync(workspace);
  git("init", "-q", "-b", config.branch);
  fs.writeFileSync(path.join(workspace, "README.md"), "# test\n");
  git("add", "-A");
  git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init");
  stub = await startModelStub({ scripts: [script] });
  host = await startFakeHost({ dir, config, modelUrl: stub.url });
  worker = launch();
});

afterAll(async () => {
  worker?.child.kill("SIGKILL");
  await host?.close();
  await stub?.close();
  if (worker?.stderr()) console.log(`worker stderr:\n${worker.stderr()}`);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the worker", () => {
  it("runs a turn: events in order with wids 1..n, tools, and a checkpoint commit", async () => {
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
      "commit",
      "status",
    ]);
    const text = events.flatMap((e) => (e.type === "assistant.text" ? [e.data.text] : [])).join("");
    expect(text).toBe("Let me look around and write the file.Done: hello.txt is there.");
    const output = events.flatMap((e) => (e.type === "tool.output" ? [e.data.text] : [])).join("");
    expect(output).toContain("hello from shell");
    const results = events.flatMap((e) => (e.type === "tool.result" ? [e.data] : []));
    expect(results[0]).toMatchObject({ isError: false, exitCode: 0 });
    expect(results[1].output).toMatch(/Created hello.txt/);

    const commit = events.find((e) => e.type === "commit");
    if (commit?.type !== "commit") throw new Error("no commit event");
    expect(git("cat-file", "-t", commit.data.sha)).toBe("commit");
    expect(git("rev-parse", "HEAD")).toBe(commit.data.sha);
    expect(git("rev-parse", "--abbrev-ref", "HEAD")).toBe(config.branch);
    expect(git("log", "-1", "--format=%an <%ae>")).toBe("Dockside Agent <agent@dockside.invalid>");
    expect(commit.data).toMatchObject({ filesChanged: 1, insertions: 1, deletions: 0 });
    expect(commit.data.message.split("\n")[0]).toBe("TASK-1: please create hello.txt saying hi");
    expect(commit.data.message).toContain("A hello.txt");
    expect(commit.data.message).toContain("$ echo hello from shell; ls");

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
    // No files changed in this turn: no commit.
    expect(types(host.events.slice(before))).not.toContain("commit");
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
