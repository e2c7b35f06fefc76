// The built worker between turns, as root with the agent on a uid of its own: a branch the agent
// committed to by itself is handed over, the agent cannot reach the worker's channel, workspace
// ops (reset, fetch) wait for the running turn and are reported, a refused checkpoint is told.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkerConfig } from "../../lib/protocol/worker";
import { startModelStub, type ModelStub } from "../../lib/modelstub/server";
import type { WorkerEvent } from "./outbox";
import { startFakeHost, type FakeHost } from "./testing/fake-host";
import { gitIn, handOver, makeLayout, type Layout } from "./testing/layout";
import { buildWorker, startWorker, type WorkerProcess } from "./testing/worker-process";
import { testConfig } from "./testing/config";

let layout: Layout;
let stub: ModelStub;
let host: FakeHost;
let worker: WorkerProcess;
let git: (...args: string[]) => string;
let base: string;

const shell = (command: string) => ({ blocks: [{ type: "tool_use" as const, name: "shell", input: { command } }] });
const say = (text: string) => ({ blocks: [{ type: "text" as const, text }] });
const idles = (events: WorkerEvent[]) => events.filter((e) => e.type === "status" && e.data.status === "idle").length;
const turn = async (text: string) => {
  const before = idles(host.events);
  host.sendMessage(text);
  await host.waitFor((events) => idles(events) > before);
};

beforeAll(async () => {
  buildWorker();
  layout = makeLayout("dockside-agentops-");
  git = gitIn(layout.workspace);
  git("init", "-q", "-b", "dockside/ops");
  fs.writeFileSync(path.join(layout.workspace, "README.md"), "# ops\n");
  git("add", "-A");
  git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init");
  base = git("rev-parse", "HEAD");
  // The host's own copy of the base (root's), from which a later test makes the bundle to fetch.
  git("clone", "-q", "--bare", layout.workspace, path.join(layout.dir, "origin"));
  handOver(layout);
  const sock = path.join(layout.run, "host.sock");
  const probe = `node -e "require('net').connect('${sock}').on('error', (e) => console.log('socket: ' + e.code))"; ls ${layout.stateDir} 2>&1 | head -1; grep CapEff /proc/$PPID/status`;
  const selfCommit = "echo mine > self.txt && git add self.txt && git -c user.name=me -c user.email=me@x commit -qm 'by the agent' && echo committed";
  // One conversation, one script: its steps are the model's answers in order, turn after turn.
  const write = (file: string) => ({ blocks: [{ type: "tool_use" as const, name: "write_file", input: { path: file, content: `${file}\n` } }] });
  stub = await startModelStub({
    scripts: [
      {
        match: "SELF",
        steps: [shell(`${probe}; ${selfCommit}`), say("committed"), write("two.txt"), say("written"), shell("sleep 1; echo slept"), say("slow done"), write("three.txt"), say("ok")],
      },
    ],
  });
  const config: WorkerConfig = testConfig({ sessionId: "s-ops", branch: "dockside/ops", baseCommit: base, agentUid: layout.uid, agentGid: layout.gid });
  host = await startFakeHost({ dir: layout.run, config, modelUrl: stub.url });
  worker = startWorker({ socketPath: host.socketPath, stateDir: layout.stateDir, workspace: layout.workspace, home: layout.dir, inboxDir: layout.inbox });
});

afterAll(async () => {
  worker?.child.kill("SIGKILL");
  await host?.close();
  await stub?.close();
  if (worker?.stderr()) console.log(`worker stderr:\n${worker.stderr()}`);
  fs.rmSync(layout.dir, { recursive: true, force: true });
});

describe("the worker between turns", () => {
  let self: string;
  let two: string;

  it("hands over a head the agent committed itself; the agent cannot reach the channel or the state", async () => {
    await turn("SELF: commit it yourself");
    const output = host.events.flatMap((e) => (e.type === "tool.output" ? [e.data.text] : [])).join("");
    expect(output).toContain("socket: EACCES");
    // The worker (this shell's parent) holds only the container's capabilities: kill, setgid, setuid.
    expect(output).toMatch(/CapEff:\s+0+e0\n/);
    expect(output).toMatch(/Permission denied/);
    expect(output).toContain("committed");
    self = git("rev-parse", "HEAD");
    expect(git("log", "-1", "--format=%s", self)).toBe("by the agent");
    expect(host.checkpoints.map((c) => c.sha)).toEqual([self]);
  });

  it("resets the branch on request between turns, reports it, and hands over the new head", async () => {
    await turn("Now write another file");
    two = git("rev-parse", "HEAD");
    expect(host.checkpoints.map((c) => c.sha)).toEqual([self, two]);
    const id = randomUUID();
    host.sendOp({ id, op: "reset", sha: self });
    await host.waitFor(() => host.opResults.has(id) && host.checkpoints.length === 3);
    expect(host.opResults.get(id)).toMatchObject({ ok: true });
    expect(git("rev-parse", "HEAD")).toBe(self);
    expect(fs.existsSync(path.join(layout.workspace, "two.txt"))).toBe(false);
    expect(host.checkpoints[2].sha).toBe(self);
  });

  it("applies an op sent during a turn only after the turn", async () => {
    const id = randomUUID();
    const before = host.events.length;
    host.sendMessage("Take your time");
    await host.waitFor((events) => events.slice(before).some((e) => e.type === "tool.call"));
    host.sendOp({ id, op: "reset", sha: two });
    await host.waitFor(() => host.opResults.has(id));
    const idleAt = host.events.findIndex((e, i) => i >= before && e.type === "status" && e.data.status === "idle");
    expect(idleAt).toBeGreaterThan(0);
    expect(host.opResults.get(id)!.eventsBefore).toBeGreaterThan(idleAt);
    expect(git("rev-parse", "HEAD")).toBe(two);
  });

  it("fetches a bundle from the inbox into a ref as the agent", async () => {
    const og = gitIn(path.join(layout.dir, "origin"));
    const moved = og("-c", "user.name=t", "-c", "user.email=t@t", "commit-tree", "-p", base, "-m", "base moved", `${base}^{tree}`);
    og("update-ref", "refs/dockside/base", moved);
    og("bundle", "create", "-q", path.join(layout.inbox, "base.bundle"), "refs/dockside/base", `^${base}`);
    const id = randomUUID();
    host.sendOp({ id, op: "fetch", sha: moved, bundle: path.join(layout.inbox, "base.bundle"), ref: "refs/dockside/base" });
    await host.waitFor(() => host.opResults.has(id));
    expect(host.opResults.get(id)).toEqual({ ok: true, eventsBefore: host.events.length });
    expect(git("rev-parse", "refs/dockside/base")).toBe(moved);
  });

  it("tells the person when the host refuses a checkpoint", async () => {
    host.refuseCheckpoints(422, "not on the session branch");
    await turn("Write a third file");
    const error = host.events.filter((e) => e.type === "error").pop();
    expect(error?.data).toMatchObject({ source: "worker", message: expect.stringContaining("refused it (422: not on the session branch)") });
    expect(host.events.every((e) => ["assistant.text", "tool.call", "tool.output", "tool.result", "status", "error"].includes(e.type))).toBe(true);
  });
});
