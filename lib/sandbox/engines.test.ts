// Several Docker engines on real parts: the test starts a second dockerd with its own socket, data
// root, exec root and pidfile (never touching the main engine's state), lists both engines in
// DOCKSIDE_DOCKER_HOSTS, and sees sessions placed by load, a follow-up stay on its engine, and an
// engine that goes away (SIGKILL, its sandbox killed with it) fail its session with a clear reason
// before a follow-up resumes it on the other engine with its files.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allEvents, outputOf, script, startHarness, TEAM, waitStatusEvent, type Harness } from "../../test/session-harness";
import { makeRepo, waitFor } from "../../test/fixtures";
import { db } from "../db/client";
import { checkHealth } from "../runtime/health";
import { configuredEngines } from "./docker";
import { engineLoads } from "./engines";
import { imageTag } from "./image";

const MAIN = "unix:///var/run/docker.sock";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-engine2-"));
const SOCKET = path.join(dir, "docker.sock");
const SECOND = `unix://${SOCKET}`;
const second = new Docker({ socketPath: SOCKET });

class SecondEngine {
  child: ChildProcess | null = null;
  async start(): Promise<void> {
    const log = fs.openSync(path.join(dir, "dockerd.log"), "a");
    // No bridge and no iptables: the sandboxes have no network anyway, and the host's rules stay as they are.
    const args = ["--host", SECOND, "--data-root", path.join(dir, "root"), "--exec-root", path.join(dir, "exec"), "--pidfile", path.join(dir, "docker.pid"), "--bridge", "none", "--iptables=false", "--ip-masq=false"];
    this.child = spawn("dockerd", args, { stdio: ["ignore", log, log] });
    const child = this.child;
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`the second dockerd exited (${child.exitCode}); see ${dir}/dockerd.log`);
      return second.version().then(() => true, () => false);
    }, "the second dockerd to answer", 60_000);
  }
  /** SIGTERM and wait (its managed containerd stops with it). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
  /** The engine vanishes at once: dockerd SIGKILLed (its containerd and shims stay until cleanup). */
  async kill(): Promise<void> {
    const child = this.child!;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
    this.child = null;
  }
}

let h: Harness;
const engine2 = new SecondEngine();
const FAST = { reconcileMs: 2000, backoffMs: 200, backoffMaxMs: 1000, graceS: 3 };

beforeAll(async () => {
  process.env.DOCKSIDE_DOCKER_HOSTS = `${MAIN},${SECOND}`;
  await engine2.start();
  h = await startHarness();
  await h.orchestrator.watchEngine({ ...FAST, only: () => h.orchestrator.liveIds() });
});

afterAll(async () => {
  await h?.close();
  // Always leave nothing behind: dockerd again on the same roots (it adopts what a SIGKILL left),
  // every container removed, then stopped; any process still naming the directory ends by its pid.
  if (!engine2.child) await engine2.start().catch((err) => console.error(err));
  const left = await second.listContainers({ all: true }).catch(() => []);
  await Promise.all(left.map((c) => second.getContainer(c.Id).remove({ force: true }).catch(() => {})));
  await engine2.stop();
  for (const pid of processesUnder(dir)) process.kill(pid, "SIGKILL");
  for (const m of mountsUnder(dir)) spawnSyncQuiet("umount", ["-l", m]);
  fs.rmSync(dir, { recursive: true, force: true });
});

const text = (t: string) => ({ blocks: [{ type: "text" as const, text: t }] });
const rowOf = (id: string) => db().session.findUniqueOrThrow({ where: { id } });

describe("several Docker engines", () => {
  let onSecond = "";

  it("places sessions by load, copies the image to the engine that lacks it, and a follow-up stays on its engine", async () => {
    expect(configuredEngines()).toEqual([MAIN, SECOND]);
    // Both sessions can be the one that lands on the second engine (other test files may have left
    // sandboxes running on the main engine): both write b.txt and answer the same follow-ups.
    const cat = { blocks: [{ type: "tool_use" as const, name: "shell", input: { command: "cat b.txt" } }] };
    const write = { blocks: [{ type: "tool_use" as const, name: "write_file", input: { path: "b.txt", content: "made on the second engine\n" } }] };
    for (const marker of ["TASK-eng-a", "TASK-eng-b"]) h.stub.addScript(script(marker, [write, text("ready"), text("again"), cat, text("resumed")]));
    const onMain = (await engineLoads()).find((l) => l.engine === MAIN)?.sandboxes ?? 0;
    const onSecondBefore = (await engineLoads()).find((l) => l.engine === SECOND)?.sandboxes ?? 0;
    expect(onSecondBefore).toBe(0);
    const a = await h.orchestrator.createSession(TEAM, { repo: makeRepo(), prompt: "TASK-eng-a" });
    await waitStatusEvent(a.id, "idle", 1, 240_000);
    const b = await h.orchestrator.createSession(TEAM, { repo: makeRepo(), prompt: "TASK-eng-b" });
    await waitStatusEvent(b.id, "idle", 1, 240_000);

    // The emptier engine wins; a tie goes to the first listed (MAIN).
    const [ra, rb] = [await rowOf(a.id), await rowOf(b.id)];
    const expectA = onMain === 0 ? MAIN : SECOND;
    const [mainAfterA, secondAfterA] = expectA === MAIN ? [onMain + 1, 0] : [onMain, 1];
    const expectB = mainAfterA <= secondAfterA ? MAIN : SECOND;
    expect([ra.engine, rb.engine]).toEqual([expectA, expectB]);
    const there = [ra, rb].find((r) => r.engine === SECOND)!;
    const other = [ra, rb].find((r) => r !== there)!;
    onSecond = there.id;
    expect((await second.getContainer(there.containerId!).inspect()).State.Running).toBe(true);
    if (other.engine === MAIN) await expect(second.getContainer(other.containerId!).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await second.getImage(imageTag()).inspect();

    const health = await checkHealth("external");
    expect(health.engines).toEqual([
      { address: MAIN, reachable: true, sandboxes: expect.any(Number) },
      { address: SECOND, reachable: true, sandboxes: [ra, rb].filter((r) => r.engine === SECOND).length },
    ]);

    await h.orchestrator.sendMessage(TEAM, there.id, "again");
    await waitStatusEvent(there.id, "idle", 2);
    const after = await rowOf(there.id);
    expect(after.engine).toBe(SECOND);
    expect(after.containerId).toBe(there.containerId);
    await h.orchestrator.stop(TEAM, other.id);
  });

  it("fails the sessions of an engine that went away with its address, and a follow-up resumes elsewhere with the files", async () => {
    expect(onSecond).not.toBe("");
    const id = onSecond;
    const { containerId } = await rowOf(id);
    const pid = (await second.getContainer(containerId!).inspect()).State.Pid;
    // The engine and its sandbox vanish (a machine lost): nothing answers, nothing exits cleanly.
    await engine2.kill();
    process.kill(pid, "SIGKILL");

    const failed = await waitFor(async () => {
      const r = await rowOf(id);
      return r.status === "failed" ? r : null;
    }, "the session to fail once the grace period is over", 60_000);
    expect(failed.failureReason).toContain(`the Docker engine ${SECOND} is unreachable`);

    const health = await checkHealth("external");
    expect(health.engines?.find((e) => e.address === SECOND)).toMatchObject({ reachable: false, sandboxes: null });

    await h.orchestrator.sendMessage(TEAM, id, "resume here");
    const evs = await waitFor(async () => {
      const all = await allEvents(id);
      return all.some((e) => e.type === "assistant.text" && e.data.text.includes("resumed")) ? all : null;
    }, "the follow-up to run on the other engine", 120_000);
    expect(outputOf(evs)).toContain("made on the second engine");
    const moved = await rowOf(id);
    expect(moved.engine).toBe(MAIN);
    await h.orchestrator.stop(TEAM, id).catch(() => {});
  });

  it("removes the moved session's old container when its engine comes back", async () => {
    const id = onSecond;
    expect((await rowOf(id)).engine).toBe(MAIN);
    await engine2.start();
    // The watcher resubscribes, recovers that engine's sessions (none left) and removes strays.
    await waitFor(async () => {
      const left = await second.listContainers({ all: true, filters: { label: [`dockside.session=${id}`] } });
      return left.length === 0;
    }, "the old container to be removed", 60_000);
    expect((await rowOf(id)).engine).toBe(MAIN);
  });
});

function processesUnder(root: string): number[] {
  const pids: number[] = [];
  for (const p of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    const cmd = (() => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, "utf8");
      } catch {
        return "";
      }
    })();
    if (cmd.includes(root)) pids.push(Number(p));
  }
  return pids;
}

function mountsUnder(root: string): string[] {
  return fs
    .readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4])
    .filter((m) => m && m.startsWith(root + "/"))
    .sort((x, y) => y.length - x.length);
}

function spawnSyncQuiet(cmd: string, args: string[]): void {
  spawnSync(cmd, args, { stdio: "ignore" });
}
