// On real parts, with faults injected on purpose: a small proxy (its own process) stands between
// Dockside and the Docker socket, and the test kills it to drop the engine's connection. A
// container that dies meanwhile settles its session once the engine answers again, a follow-up
// and a stop always act, a server started while the engine is away recovers its sessions when it
// is back, and "unreachable" is never taken for "missing".
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allEvents, outputOf, script, startHarness, TEAM, waitStatusEvent, type Harness } from "../../test/session-harness";
import { makeRepo, waitFor } from "../../test/fixtures";
import { db } from "../db/client";
import { ev } from "../events/schema";
import { hostGit } from "../git/host-repo";
import { sessionPaths } from "../git/workspace";
import { env } from "../config/env";
import { inspectSandbox, startSandbox } from "../sandbox/container";
import { setDockerSocket } from "../sandbox/docker";
import { ensureImage, imageExists } from "../sandbox/image";
import { insertSession } from "../sessions/create-session";
import { Orchestrator } from "../sessions/orchestrator";

const REAL_SOCKET = "/var/run/docker.sock";
const real = new Docker({ socketPath: REAL_SOCKET });

// A Unix-socket forwarder in its own process: SIGKILL drops every connection through it at once.
const FORWARDER = `
const net = require("net"), fs = require("fs");
const [listen, target] = process.argv.slice(1);
try { fs.unlinkSync(listen); } catch {}
net.createServer((c) => {
  const u = net.connect(target);
  c.pipe(u); u.pipe(c);
  const end = () => { c.destroy(); u.destroy(); };
  c.on("error", end); u.on("error", end); c.on("close", end); u.on("close", end);
}).listen(listen, () => console.log("listening"));
`;

class SocketProxy {
  private child: ChildProcess | null = null;
  constructor(readonly socket: string) {}
  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(process.execPath, ["-e", FORWARDER, this.socket, REAL_SOCKET], { stdio: ["ignore", "pipe", "inherit"] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (b: Buffer) => b.toString().includes("listening") && resolve());
      child.once("exit", (code) => reject(new Error(`the socket proxy exited (${code})`)));
    });
  }
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  }
}

let h: Harness;
let dir: string;
let proxy: SocketProxy;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-proxy-"));
  proxy = new SocketProxy(path.join(dir, "docker.sock"));
  await proxy.start();
  setDockerSocket(proxy.socket);
  h = await startHarness();
});
afterAll(async () => {
  await proxy?.start().catch(() => {});
  await h?.close();
  await proxy?.kill();
  setDockerSocket(undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

const text = (t: string) => ({ blocks: [{ type: "text" as const, text: t }] });
const statusOf = async (id: string) => db().session.findUniqueOrThrow({ where: { id } });
const containerOf = async (id: string) => (await statusOf(id)).containerId!;
const FAST = { reconcileMs: 2000, backoffMs: 200, backoffMaxMs: 1000 };

describe("the Docker engine comes and goes", () => {
  it("treats an unreachable engine as unreachable (503 with its address), never as a missing image, and starting a running container as a no-op", async () => {
    h.stub.addScript(script("TASK-engine-noop", [text("ready")]));
    const s = await h.orchestrator.createSession(TEAM, { repo: makeRepo(), prompt: "TASK-engine-noop" });
    await waitStatusEvent(s.id, "idle");
    const id = await containerOf(s.id);
    await startSandbox(id); // already running: the engine's 304 is success
    expect((await inspectSandbox(id))?.running).toBe(true);

    await proxy.kill();
    const lines: string[] = [];
    const refused = { code: "unavailable", message: expect.stringContaining(proxy.socket) };
    await expect(ensureImage((l) => lines.push(l))).rejects.toMatchObject(refused);
    await expect(imageExists()).rejects.toMatchObject(refused);
    await expect(inspectSandbox(id)).rejects.toMatchObject(refused);
    expect(lines).toEqual([]); // no build started
    expect(fs.existsSync(path.join(env().dataDir, "image-build.lock"))).toBe(false);
    await proxy.start();
    await h.orchestrator.stop(TEAM, s.id);
    expect((await statusOf(s.id)).status).toBe("stopped");
  });

  it("settles a stop on a session whose container died while the engine's connection was down", async () => {
    h.stub.addScript(script("TASK-engine-stop", [text("ready")]));
    const s = await h.orchestrator.createSession(TEAM, { repo: makeRepo(), prompt: "TASK-engine-stop" });
    await waitStatusEvent(s.id, "idle");
    await proxy.kill(); // the orchestrator's wait on the container is cut
    await real.getContainer(await containerOf(s.id)).kill();
    await proxy.start();
    expect((await statusOf(s.id)).status).toBe("idle"); // nobody noticed (no engine watcher here)
    await h.orchestrator.stop(TEAM, s.id, undefined, "stopped by the test");
    const row = await statusOf(s.id);
    expect(row.status).toBe("stopped");
    const last = (await allEvents(s.id)).filter((e) => e.type === "status").at(-1);
    expect(last?.type === "status" && last.data.reason).toBe("stopped by the test");
  });

  it("notices a container that died while the engine's connection was down, and a follow-up starts it again", async () => {
    await h.orchestrator.watchEngine({ ...FAST, only: () => h.orchestrator.liveIds() });
    h.stub.addScript(script("TASK-engine-drop", [text("first turn done"), text("back again")]));
    const s = await h.orchestrator.createSession(TEAM, { repo: makeRepo(), prompt: "TASK-engine-drop" });
    await waitStatusEvent(s.id, "idle");

    await proxy.kill();
    await real.getContainer(await containerOf(s.id)).kill();
    // Meanwhile a follow-up cannot reach a worker: it says why instead of vanishing.
    await expect(h.orchestrator.sendMessage(TEAM, s.id, "anyone there?")).rejects.toMatchObject({ code: "unavailable", message: expect.stringContaining(proxy.socket) });
    await proxy.start();

    const settled = await waitFor(async () => {
      const row = await statusOf(s.id);
      return row.status === "failed" ? row : null;
    }, "the session to settle once the engine answers", 30_000);
    expect(settled.failureReason).toMatch(/the worker exited with code 137/);

    await h.orchestrator.sendMessage(TEAM, s.id, "are you back?");
    const events = await waitFor(async () => {
      const evs = await allEvents(s.id);
      return evs.some((e) => e.type === "assistant.text" && e.data.text.includes("back again")) && (await statusOf(s.id)).status === "idle" ? evs : null;
    }, "the follow-up to run", 120_000);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    await h.orchestrator.stop(TEAM, s.id).catch(() => {});
  });

  it("finishes a stop asked for while the engine was unreachable once it answers", async () => {
    await h.orchestrator.watchEngine({ ...FAST, only: () => h.orchestrator.liveIds() });
    h.stub.addScript(script("TASK-engine-stop-later", [text("ready")]));
    const s = await h.orchestrator.createSession(TEAM, { repo: makeRepo(), prompt: "TASK-engine-stop-later" });
    await waitStatusEvent(s.id, "idle");
    await proxy.kill();
    await expect(h.orchestrator.stop(TEAM, s.id, undefined, "asked while away")).rejects.toMatchObject({ code: "unavailable", message: expect.stringMatching(/the stop is recorded/) });
    expect((await statusOf(s.id)).stopRequestedAt).not.toBeNull();
    await proxy.start();
    // The worker may report "stopped" itself once interrupted, a moment before its container exits.
    await waitFor(async () => {
      const r = await statusOf(s.id);
      return r.status === "stopped" && (await inspectSandbox(r.containerId!))?.running === false;
    }, "the recorded stop to finish", 30_000);
    const last = (await allEvents(s.id)).filter((e) => e.type === "status").at(-1);
    expect(last?.type === "status" && last.data.reason).toBe("asked while away");
  });

  it("recovers a running session once the engine answers, when the server started while it was unreachable", async () => {
    const shell = { type: "tool_use" as const, name: "shell", input: { command: "for i in $(seq 1 40); do echo tock-$i; sleep 0.25; done" } };
    h.stub.addScript(script("TASK-engine-late", [{ blocks: [shell] }, text("all tocks")]));
    const s = await h.orchestrator.createSession(TEAM, { repo: makeRepo(), prompt: "TASK-engine-late" });
    await waitFor(async () => outputOf(await allEvents(s.id)).includes("tock-3\n"), "the first tocks");

    // The server goes away (the sandbox runs on), and comes back while the engine is unreachable.
    await h.orchestrator.shutdown();
    await proxy.kill();
    h.orchestrator = new Orchestrator();
    await h.orchestrator.watchEngine({ ...FAST, only: () => [s.id] });
    expect(h.orchestrator.engineWatchState()?.connected).toBe(false);
    await proxy.start();

    const done = await waitFor(async () => {
      const evs = await allEvents(s.id);
      return evs.some((e) => e.type === "assistant.text" && e.data.text.includes("all tocks")) ? evs : null;
    }, "the turn to finish after the engine came back", 120_000);
    expect(outputOf(done).trim().split("\n")).toEqual(Array.from({ length: 40 }, (_, i) => `tock-${i + 1}`));
    expect(done.map((e) => e.seq)).toEqual(done.map((_, i) => i + 1));
    await h.orchestrator.stop(TEAM, s.id).catch(() => {});
  });

  it("a restart mid-fork imports the fork's checkpoint from the row, or fails saying why", async () => {
    h.stub.addScript(script("TASK-fork-src", [{ blocks: [{ type: "tool_use", name: "write_file", input: { path: "forked.txt", content: "from the source\n" } }] }, text("wrote it")]));
    const repo = makeRepo();
    const src = await h.orchestrator.createSession(TEAM, { repo, prompt: "TASK-fork-src" });
    const evs = await waitStatusEvent(src.id, "idle");
    const commit = evs.find((e) => e.type === "commit");
    const sha = commit?.type === "commit" ? commit.data.sha : "";
    expect(sha).toMatch(/^[0-9a-f]{40}$/);

    // The fork's row was written, then the server died before its launch: the next one picks it up.
    h.stub.addScript(script("TASK-fork-restarted", [text("forked and running")]));
    const good = await insertSession(TEAM, { repo, prompt: "TASK-fork-restarted" } as never);
    const bad = await insertSession(TEAM, { repo, prompt: "TASK-fork-restarted" } as never);
    await db().session.update({ where: { id: good.id }, data: { forkSourceId: src.id, forkSha: sha } });
    await db().session.update({ where: { id: bad.id }, data: { forkSourceId: src.id, forkSha: "1".repeat(40) } });
    for (const id of [good.id, bad.id]) await h.orchestrator.record(id, ev("user.message", { text: "TASK-fork-restarted" }));
    await h.orchestrator.recover([good.id, bad.id]);

    await waitStatusEvent(good.id, "idle");
    const row = await statusOf(good.id);
    expect(row).toMatchObject({ headCommit: sha, forkSourceId: null, forkSha: null });
    expect((await hostGit(sessionPaths(env().dataDir, good.id).hostRepo, ["rev-parse", row.branch])).trim()).toBe(sha);

    const failed = await waitFor(async () => {
      const r = await statusOf(bad.id);
      return r.status === "failed" ? r : null;
    }, "the fork without its checkpoint to fail");
    expect(failed.failureReason).toMatch(/could not fork from checkpoint 111111111111/);
    for (const id of [good.id, src.id]) await h.orchestrator.stop(TEAM, id).catch(() => {});
  });
});
