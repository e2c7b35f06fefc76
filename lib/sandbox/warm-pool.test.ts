// The warm pool on real parts: Docker, loop-mounted session filesystems, PostgreSQL, the worker.
import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allEvents, outputOf, script, startHarness, TEAM, waitStatus, waitStatusEvent, type Harness } from "../../test/session-harness";
import { makeRepo } from "../../test/fixtures";
import { env } from "../config/env";
import { db } from "../db/client";
import { setRuntime } from "../runtime/boot";
import { checkHealth } from "../runtime/health";
import { Orchestrator } from "../sessions/orchestrator";
import { INSTANCE_LABEL, POOL_LABEL, inspectSandbox } from "./container";
import { docker } from "./docker";

let h: Harness;
let pooledRepo = "";
const shell = (command: string) => ({ type: "tool_use" as const, name: "shell", input: { command } });

async function useOrchestrator(warmPool: number): Promise<Orchestrator> {
  await h.orchestrator.shutdown();
  h.orchestrator = new Orchestrator(undefined, { warmPool });
  setRuntime({ orchestrator: h.orchestrator, health: () => checkHealth("external") });
  return h.orchestrator;
}

/** This process's unclaimed and claimed pool containers (other test files, other processes, may run pools of their own). */
async function poolContainers(): Promise<string[]> {
  const mine = `${POOL_LABEL}=${os.hostname()}:${process.pid}`;
  const list = await docker().listContainers({ all: true, filters: { label: [mine, `${INSTANCE_LABEL}=${env().dataDir}`] } });
  return list.map((c) => c.Id);
}

/** Pool containers no session has claimed. */
async function readyContainers(): Promise<string[]> {
  const all = await poolContainers();
  const claimed = (await db().session.findMany({ where: { containerId: { in: all } }, select: { containerId: true } })).map((r) => r.containerId);
  return all.filter((c) => !claimed.includes(c));
}

/** Runs one shell command as a session's task; returns its output and the session's row. */
async function runShell(repo: string, marker: string, command: string, followUp?: string) {
  const then = followUp ? [{ blocks: [shell(followUp)] }, { blocks: [{ type: "text" as const, text: "again" }] }] : [];
  h.stub.addScript(script(marker, [{ blocks: [shell(command)] }, { blocks: [{ type: "text", text: "done" }] }, ...then]));
  const s = await h.orchestrator.createSession(TEAM, { repo, prompt: `${marker}: run it` });
  const events = await waitStatusEvent(s.id, "idle");
  return { id: s.id, output: outputOf(events), row: await db().session.findUniqueOrThrow({ where: { id: s.id } }) };
}

beforeAll(async () => {
  h = await startHarness();
  // Registered by the first test's session, so the second test's two sessions claimed at once find it registered.
  pooledRepo = makeRepo({ "README.md": "# pooled\n" });
});
afterAll(async () => {
  await h?.close();
});

describe("the warm pool", () => {
  it("starts a session in a pooled sandbox as its own uid with its own workspace, then refills", async () => {
    const o = await useOrchestrator(2);
    o.warmPool.start();
    await o.warmPool.filled();
    const ready = await poolContainers();
    expect(ready).toHaveLength(2);

    const repo = pooledRepo;
    const a = await runShell(repo, "POOL-own", "id -u; cat README.md; git status --short --branch; echo made > notes.txt", "cat notes.txt");
    expect(ready).toContain(a.row.containerId);
    expect(a.output).toContain(String(a.row.sandboxUid));
    expect(a.output).toContain("# pooled");
    expect(a.output).toContain(`## ${a.row.branch}`);
    expect(a.row.headCommit).not.toBe(a.row.baseCommit); // the turn was committed and handed over

    await o.warmPool.filled();
    expect(o.warmPool.state().engines[0].ready).toBe(2);
    // What an operator reads on /api/health: the pool's size, how many wait, how many were taken.
    const health = await checkHealth("external");
    expect(health.warmPool).toMatchObject({ size: 2, engines: [{ ready: 2 }], claimed: 1 });

    // After a stop the pooled sandbox is done: a follow-up gets an ordinary one, with the workspace as it was.
    await o.stop(TEAM, a.id);
    await waitStatus(a.id, "stopped");
    await o.sendMessage(TEAM, a.id, "POOL-again");
    const events = await waitStatusEvent(a.id, "idle", 2);
    expect(outputOf(events)).toContain("made"); // only the follow-up prints it
    const after = await db().session.findUniqueOrThrow({ where: { id: a.id } });
    expect(after.containerId).not.toBe(a.row.containerId);
    expect((await inspectSandbox(after.containerId!))?.pooled).toBe(false);
    expect(await inspectSandbox(a.row.containerId!)).toBeNull();
  });

  it("gives two sessions claimed at once different sandboxes, uids and identities", async () => {
    const o = h.orchestrator;
    await o.warmPool.filled();
    // Registered by the first test (two first sessions of one new repository would both register it).
    const repo = pooledRepo;
    h.stub.addScript(script("POOL-twin-1", [{ blocks: [{ type: "text", text: "one" }] }]));
    h.stub.addScript(script("POOL-twin-2", [{ blocks: [{ type: "text", text: "two" }] }]));
    const [s1, s2] = await Promise.all([o.createSession(TEAM, { repo, prompt: "POOL-twin-1" }), o.createSession(TEAM, { repo, prompt: "POOL-twin-2" })]);
    await Promise.all([waitStatus(s1.id, "idle"), waitStatus(s2.id, "idle")]);
    const [r1, r2] = await Promise.all([s1, s2].map((s) => db().session.findUniqueOrThrow({ where: { id: s.id } })));
    expect(r1.containerId).toBeTruthy();
    expect(r1.containerId).not.toBe(r2.containerId);
    expect(r1.sandboxUid).not.toBe(r2.sandboxUid);
    expect((await inspectSandbox(r1.containerId!))?.pooled).toBe(true);
    expect((await inspectSandbox(r2.containerId!))?.pooled).toBe(true);
  });

  it("shows session B nothing of session A: files in /tmp and home, processes, environment", async () => {
    const o = h.orchestrator;
    await o.warmPool.filled();
    const repo = makeRepo({ "README.md": "# leak\n" });
    const a = await runShell(repo, "POOL-leak-a", "echo trace-of-a > /tmp/trace-of-a; echo trace-of-a > ~/trace-of-a; (setsid sleep 600 trace-of-a &) ; export TRACE_OF_A=1; echo planted");
    expect(a.output).toContain("planted");
    await o.warmPool.filled();
    const b = await runShell(repo, "POOL-leak-b", "ls -a /tmp ~ /workspace; ps -eo user,args; cat /proc/1/environ | tr '\\0' '\\n'; env; id");
    expect(b.row.containerId).not.toBe(a.row.containerId);
    expect((await inspectSandbox(b.row.containerId!))?.pooled).toBe(true);
    expect(b.output).toContain("README.md");
    expect(b.output).not.toContain("trace-of-a");
    expect(b.output).not.toContain("TRACE_OF_A");
    expect(b.output).not.toContain(String(a.row.sandboxUid));
    expect(b.output).not.toContain(a.id);
  });

  it("isolates a pooled sandbox exactly as a cold one: the same HostConfig but for its own binds", async () => {
    const o = h.orchestrator;
    await o.warmPool.filled();
    const repo = makeRepo({ "README.md": "# same\n" });
    const pooled = await runShell(repo, "POOL-same-a", "true");
    const cold = await useOrchestrator(0);
    const plain = await runShell(repo, "POOL-same-b", "true");
    expect((await inspectSandbox(pooled.row.containerId!))?.pooled).toBe(true);
    expect((await inspectSandbox(plain.row.containerId!))?.pooled).toBe(false);
    const [a, b] = await Promise.all([pooled, plain].map((s) => docker().getContainer(s.row.containerId!).inspect()));
    // The binds name each session's own filesystem and home's tmpfs its own uid; a cold one also
    // borrows the mirror's objects (read-only). Everything else is the same.
    const isolation = (i: typeof a, uid: number) => {
      const { Binds, ...rest } = i.HostConfig;
      const binds = (Binds ?? []).filter((x) => !x.includes("/objects:")).map((x) => x.slice(x.indexOf(":")));
      return JSON.parse(JSON.stringify({ ...rest, binds }).replaceAll(`=${uid}`, "=<uid>"));
    };
    expect(isolation(a, pooled.row.sandboxUid)).toEqual(isolation(b, plain.row.sandboxUid));
    expect(a.HostConfig).toMatchObject({ ReadonlyRootfs: true, NetworkMode: "none", CapDrop: ["ALL"] });
    expect(a.Config.User).toBe(b.Config.User);
    await cold.shutdown();
  });

  it("replaces a pooled sandbox made from an older image or worker bundle instead of handing it out", async () => {
    let version = "v1";
    await h.orchestrator.shutdown();
    h.orchestrator = new Orchestrator(undefined, { warmPool: 1, poolVersion: () => version });
    setRuntime({ orchestrator: h.orchestrator, health: () => checkHealth("external") });
    const o = h.orchestrator;
    o.warmPool.start();
    await o.warmPool.filled();
    const old = await readyContainers();
    expect(old).toHaveLength(1);
    version = "v2"; // a new bundle or image tag
    const repo = makeRepo({ "README.md": "# newer\n" });
    const s = await runShell(repo, "POOL-stale", "true");
    expect(old).not.toContain(s.row.containerId);
    await o.warmPool.filled();
    const now = await readyContainers();
    expect(now).toHaveLength(1);
    expect(now).not.toContain(old[0]);
    await expect.poll(async () => inspectSandbox(old[0])).toBeNull();
  });

  it("removes its unclaimed sandboxes on shutdown; size 0 starts sessions as before", async () => {
    const claimed = (await db().session.findMany({ where: { containerId: { in: await poolContainers() } }, select: { containerId: true } })).map((r) => r.containerId);
    const o = await useOrchestrator(0);
    expect((await poolContainers()).filter((c) => !claimed.includes(c))).toEqual([]);
    o.warmPool.start();
    expect(o.warmPool.state().engines[0].ready).toBe(0);
    const repo = makeRepo({ "README.md": "# plain\n" });
    const s = await runShell(repo, "POOL-off", "id -u");
    expect(s.output).toContain(String(s.row.sandboxUid));
    expect((await inspectSandbox(s.row.containerId!))?.pooled).toBe(false);
    expect((await allEvents(s.id)).some((e) => e.type === "commit" || e.type === "status")).toBe(true);
  });
});
