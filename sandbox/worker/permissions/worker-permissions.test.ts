// The built worker against the fake host, the agent a uid of its own: a call waiting for approval
// survives a worker killed outright (the restarted worker asks again with the same callId and gets
// the same approval), and hooks run as the agent, stop hooks sending the model back to work.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startModelStub, type ModelStub } from "../../../lib/modelstub/server";
import { EMPTY_HOOKS, EMPTY_RULES } from "../../../lib/protocol/permissions";
import type { WorkerConfig } from "../../../lib/protocol/worker";
import type { WorkerEvent } from "../outbox";
import { testConfig } from "../testing/config";
import { startFakeHost, type FakeHost } from "../testing/fake-host";
import { gitIn, handOver, makeLayout, type Layout } from "../testing/layout";
import { buildWorker, startWorker, type WorkerProcess } from "../testing/worker-process";

let layout: Layout;
let stub: ModelStub;
let host: FakeHost;
let worker: WorkerProcess;
const stderr: string[] = [];

const script = {
  match: "PERM-TASK",
  steps: [
    { blocks: [{ type: "tool_use" as const, id: "toolu_resume", name: "shell", input: { command: "touch resumed.txt && echo made it" } }] },
    { blocks: [{ type: "text" as const, text: "Done after the restart." }] },
    // Turn 2: the stop hook wants done.flag.
    { blocks: [{ type: "text" as const, text: "Finished." }] },
    { blocks: [{ type: "tool_use" as const, id: "toolu_flag", name: "write_file", input: { path: "done.flag", content: "ok\n" } }] },
    { blocks: [{ type: "text" as const, text: "Now really done." }] },
  ],
};

const idle = (events: WorkerEvent[]) => events.filter((e) => e.type === "status" && e.data.status === "idle").length;
const launch = () => startWorker({ socketPath: host.socketPath, stateDir: layout.stateDir, workspace: layout.workspace, home: layout.dir, inboxDir: layout.inbox });
const until = async (pred: () => boolean, what: string, ms = 15_000) => {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

beforeAll(async () => {
  buildWorker();
  layout = makeLayout("dockside-perm-worker-");
  const git = gitIn(layout.workspace);
  git("init", "-q", "-b", "main");
  fs.writeFileSync(path.join(layout.workspace, "README.md"), "# test\n");
  git("add", "-A");
  git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init");
  handOver(layout);
  const config: WorkerConfig = testConfig({ baseCommit: git("rev-parse", "HEAD"), agentUid: layout.uid, agentGid: layout.gid });
  stub = await startModelStub({ scripts: [script] });
  host = await startFakeHost({ dir: layout.run, config, modelUrl: stub.url });
});

afterAll(async () => {
  worker?.child.kill("SIGKILL");
  await host?.close();
  await stub?.close();
  if (stderr.length || worker?.stderr()) console.log(`worker stderr:\n${stderr.join("\n")}\n${worker?.stderr() ?? ""}`);
  fs.rmSync(layout.dir, { recursive: true, force: true });
});

describe("the worker's permissions", () => {
  it("asks again with the same callId after being killed while waiting, and runs the call once approved", async () => {
    host.setPermissions({ mode: "ask", rules: EMPTY_RULES, hooks: EMPTY_HOOKS });
    worker = launch();
    host.sendMessage("PERM-TASK: make resumed.txt");
    await until(() => host.approvals[0]?.posts === 1, "the approval request");
    expect(host.approvals[0].request).toMatchObject({ callId: "toolu_resume", kind: "tool", tool: "shell" });
    // The request comes after the events that led to it: a log (and a browser) that ends on
    // "running" with the agent waiting for a person would be wrong.
    const before = host.approvals[0].eventsBefore;
    expect(before.some((e) => e.type === "tool.call" && e.data.callId === "toolu_resume")).toBe(true);
    expect(before.findLast((e) => e.type === "status")?.data).toMatchObject({ status: "running" });
    worker.child.kill("SIGKILL");
    await worker.exited();
    stderr.push(worker.stderr());
    expect(fs.existsSync(path.join(layout.workspace, "resumed.txt"))).toBe(false);

    worker = launch();
    await until(() => host.approvals[0].posts === 2, "the approval asked again");
    expect(host.approvals).toHaveLength(1);
    host.decide("toolu_resume", { status: "approved" });
    await host.waitFor((events) => idle(events) >= 1);

    expect(fs.existsSync(path.join(layout.workspace, "resumed.txt"))).toBe(true);
    const calls = host.events.filter((e) => e.type === "tool.call" && e.data.callId === "toolu_resume");
    const results = host.events.flatMap((e) => (e.type === "tool.result" && e.data.callId === "toolu_resume" ? [e.data] : []));
    expect(calls).toHaveLength(1);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ isError: false, exitCode: 0 });
    expect(results[0].output).toContain("made it");
    // The model saw the real result, not "not run".
    const toolResult = JSON.stringify((stub.requests[stub.requests.length - 1].body as { messages: unknown }).messages);
    expect(toolResult).toContain("made it");
    expect(toolResult).not.toContain("not run");
  });

  it("runs hooks as the agent; a failing stop hook sends the model back until it passes", async () => {
    host.setPermissions({
      mode: "auto",
      rules: EMPTY_RULES,
      hooks: {
        ...EMPTY_HOOKS,
        pre_tool: [{ command: "id -u > .git/hook-uid", timeoutS: 10 }],
        stop: [{ command: "test -f done.flag || { echo 'done.flag is missing'; exit 1; }", timeoutS: 10 }],
      },
    });
    host.sendMessage("and finish with a flag");
    await host.waitFor((events) => idle(events) >= 2);
    const hooks = host.events.flatMap((e) => (e.type === "hook" ? [e.data] : []));
    expect(hooks).toEqual([{ hook: "stop", command: "test -f done.flag || { echo 'done.flag is missing'; exit 1; }", exitCode: 1, output: "done.flag is missing\n", blocked: true }]);
    expect(fs.readFileSync(path.join(layout.workspace, "done.flag"), "utf8")).toBe("ok\n");
    expect(fs.readFileSync(path.join(layout.workspace, ".git/hook-uid"), "utf8").trim()).toBe(String(layout.uid));
    const texts = host.events.flatMap((e) => (e.type === "assistant.text" ? [e.data.text] : [])).join("|");
    expect(texts).toContain("Finished.|Now really done.");
  });
});
