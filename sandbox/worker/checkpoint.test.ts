// Checkpoint commits and their delivery in a real temp repository owned by a uid of its own
// (the worker is root, git runs as the agent), against the fake host's checkpoint endpoint.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WorkerConfig } from "../../lib/protocol/worker";
import { Channel } from "./channel";
import { checkpoint, subjectFrom } from "./checkpoint";
import { Delivery } from "./deliver";
import { Outbox } from "./outbox";
import { startFakeHost, type FakeHost } from "./testing/fake-host";
import { gitIn, handOver, makeLayout, unbundle, type Layout } from "./testing/layout";
import { testConfig } from "./testing/config";

let layout: Layout;
let git: (...args: string[]) => string;
let base: string;
let host: FakeHost | undefined;
const user = () => ({ uid: layout.uid, gid: layout.gid });
const request = { request: "look around", finalText: "", commands: ["ls"] };

beforeEach(() => {
  layout = makeLayout("dockside-ckpt-");
  git = gitIn(layout.workspace);
  git("init", "-q", "-b", "work");
  fs.writeFileSync(path.join(layout.workspace, "old.txt"), "a\nb\n");
  git("add", "-A");
  git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init");
  base = git("rev-parse", "HEAD");
  // What the host keeps of the base (its own repository), before the agent owns the workspace.
  git("clone", "-q", "--bare", layout.workspace, path.join(layout.dir, "origin.git"));
  handOver(layout);
});
afterEach(async () => {
  await host?.close();
  host = undefined;
  fs.rmSync(layout.dir, { recursive: true, force: true });
});

async function rig(baseCommit = base) {
  const config: WorkerConfig = testConfig({ sessionId: "s", model: "m", branch: "work", baseCommit, agentUid: layout.uid, agentGid: layout.gid, maxTurns: 1, shellTimeoutS: 1, toolOutputCap: 100, maxTokens: 1 });
  host = await startFakeHost({ dir: layout.run, config, modelUrl: "http://127.0.0.1:9" });
  const outbox = new Outbox({ post: async (events) => events[events.length - 1].wid });
  const delivery = new Delivery({ channel: new Channel(host.socketPath), outbox, workspace: layout.workspace, user: user(), branch: "work", baseCommit });
  return { host, outbox, delivery };
}

describe("checkpoint", () => {
  it("makes no commit when nothing changed", async () => {
    expect(await checkpoint({ workspace: layout.workspace, user: user(), ...request })).toBeNull();
    expect(git("rev-list", "--count", "HEAD")).toBe("1");
  });

  it("commits everything on the current branch as the agent, with files and commands", async () => {
    fs.writeFileSync(path.join(layout.workspace, "old.txt"), "a\nc\nd\n");
    fs.writeFileSync(path.join(layout.workspace, "new.txt"), "x\n");
    handOver(layout);
    const sha = await checkpoint({ workspace: layout.workspace, user: user(), request: "Please fix the list.\nDetails follow.", finalText: "Fixed.", commands: ["make test"] });
    expect(git("rev-parse", "HEAD")).toBe(sha);
    expect(git("rev-parse", "--abbrev-ref", "HEAD")).toBe("work");
    expect(git("log", "-1", "--format=%B")).toBe("Fix the list\n\nFiles changed:\n  A new.txt\n  M old.txt\n\nCommands run:\n  $ make test");
    expect(git("status", "--porcelain")).toBe("");
    // git ran as the agent: what it wrote belongs to the agent.
    expect(fs.statSync(path.join(layout.workspace, ".git/refs/heads/work")).uid).toBe(layout.uid);
  });

  it("derives a short subject from the request", () => {
    expect(subjectFrom("can you add a README? it should explain setup")).toBe("Add a README");
    const long = subjectFrom("implement " + "very ".repeat(30) + "long things");
    expect(long.length).toBeLessThanOrEqual(72);
    expect(long.endsWith("…")).toBe(true);
    expect(subjectFrom("\n\n  ")).toBe("");
  });
});

describe("delivery", () => {
  it("hands the branch over as a bundle that holds the head, once per head", async () => {
    const { host, delivery } = await rig();
    fs.writeFileSync(path.join(layout.workspace, "new.txt"), "x\n");
    handOver(layout);
    const sha = (await checkpoint({ workspace: layout.workspace, user: user(), ...request }))!;
    const signal = new AbortController().signal;
    expect(await delivery.deliver(null, signal)).toBe(sha);
    expect(host.checkpoints.map((c) => [c.sha, c.contentType])).toEqual([[sha, "application/x-git-bundle"]]);
    const got = unbundle(host.checkpoints[0].bundle, "work", path.join(layout.dir, "origin.git"));
    expect(got.head).toBe(sha);
    expect(got.git("log", "-1", "--format=%an", sha)).toBe("Dockside Agent");
    // The base's history is left out: the host has it already.
    expect(gitIn(layout.dir)("bundle", "list-heads", writeTemp(host.checkpoints[0].bundle))).toContain("refs/heads/work");
    expect(await delivery.deliver(sha, signal)).toBe(sha);
    expect(host.checkpoints).toHaveLength(1);
    fs.rmSync(got.repo, { recursive: true, force: true });
  });

  it("delivers a head the agent committed itself, and nothing while the branch is at its base", async () => {
    const { host, delivery } = await rig();
    const signal = new AbortController().signal;
    expect(await delivery.deliver(null, signal)).toBe(base);
    expect(host.checkpoints).toHaveLength(0);
    git("-c", "user.name=agent", "-c", "user.email=a@a", "commit", "-q", "--allow-empty", "-m", "by hand");
    const head = git("rev-parse", "HEAD");
    expect(await delivery.deliver(base, signal)).toBe(head);
    expect(host.checkpoints.map((c) => c.sha)).toEqual([head]);
  });

  it("bundles the whole branch when the base is not in the repository", async () => {
    const { host, delivery } = await rig("f".repeat(40));
    git("-c", "user.name=agent", "-c", "user.email=a@a", "commit", "-q", "--allow-empty", "-m", "more");
    const head = git("rev-parse", "HEAD");
    expect(await delivery.deliver(null, new AbortController().signal)).toBe(head);
    const got = unbundle(host.checkpoints[0].bundle, "work");
    expect(got.git("rev-list", "--count", head)).toBe("2");
    fs.rmSync(got.repo, { recursive: true, force: true });
  });

  it("reports a refusal once as an error event and does not retry it", async () => {
    const { host, delivery, outbox } = await rig();
    const pushed: unknown[] = [];
    const push = outbox.push.bind(outbox);
    outbox.push = (e) => (pushed.push(e), push(e));
    host.refuseCheckpoints(422, "bundle does not hold the head");
    git("-c", "user.name=agent", "-c", "user.email=a@a", "commit", "-q", "--allow-empty", "-m", "more");
    const signal = new AbortController().signal;
    expect(await delivery.deliver(base, signal)).toBe(base);
    expect(await delivery.deliver(base, signal)).toBe(base);
    expect(pushed).toEqual([
      { type: "error", data: { source: "worker", message: expect.stringMatching(/refused it \(422: bundle does not hold the head\)/) } },
    ]);
  });

  it("skips a bundle over the size cap and says so", async () => {
    const { host, outbox } = await rig();
    const pushed: unknown[] = [];
    outbox.push = (e) => void pushed.push(e);
    const small = new Delivery({ channel: new Channel(host.socketPath), outbox, workspace: layout.workspace, user: user(), branch: "work", baseCommit: base, maxBytes: 10 });
    git("-c", "user.name=agent", "-c", "user.email=a@a", "commit", "-q", "--allow-empty", "-m", "more");
    expect(await small.deliver(base, new AbortController().signal)).toBe(base);
    expect(pushed).toEqual([{ type: "error", data: { source: "worker", message: expect.stringMatching(/bundle is over 0 MB/) } }]);
    expect(host.checkpoints).toHaveLength(0);
  });
});

function writeTemp(bytes: Buffer): string {
  const file = path.join(layout.dir, `b-${Date.now()}.bundle`);
  fs.writeFileSync(file, bytes);
  return file;
}
