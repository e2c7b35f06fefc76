// End-to-end on real parts below the browser: PostgreSQL, Docker, git, the bundled worker in
// its sandbox, the host gateway and the scripted model.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allEvents, outputOf, script, startHarness, TEAM, waitStatus, waitStatusEvent, type Harness } from "../../test/session-harness";
import { makeRepo, waitFor } from "../../test/fixtures";
import { env } from "../config/env";
import { db } from "../db/client";
import { sessionPaths } from "../git/workspace";
import { docker } from "../sandbox/docker";
import { mountSessionFs } from "../sandbox/session-fs";
import { readDiff } from "./read-diff";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const shell = (command: string) => ({ type: "tool_use" as const, name: "shell", input: { command } });

describe("a session on real parts", () => {
  it("runs the agent in a locked-down sandbox, streams tool output, commits the turn, and takes a follow-up", async () => {
    const repo = makeRepo({ "README.md": "# hello\n" });
    h.stub.addScript(
      script("TASK-basic", [
        { blocks: [{ type: "text", text: "Looking around." }, shell("echo out-line; echo err-line >&2; id -u; exit 3")] },
        { blocks: [{ type: "tool_use", name: "write_file", input: { path: "notes/hello.txt", content: "hi from the agent\n" } }] },
        { blocks: [{ type: "text", text: "Done: wrote **notes/hello.txt**." }] },
        { blocks: [{ type: "tool_use", name: "edit_file", input: { path: "notes/hello.txt", old_string: "hi", new_string: "hello" } }] },
        { blocks: [{ type: "text", text: "Edited." }] },
      ]),
    );
    const s = await h.orchestrator.createSession(TEAM, { repo, prompt: "TASK-basic: write a note" });
    expect(s).toMatchObject({ status: "queued", baseBranch: "main", branch: `dockside/${s.id.slice(0, 8)}` });

    const events = await waitStatusEvent(s.id, "idle");
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const statuses = events.filter((e) => e.type === "status").map((e) => (e.type === "status" ? e.data.status : ""));
    expect(statuses).toEqual(["queued", "starting", "running", "idle"]);

    const call = events.find((e) => e.type === "tool.call" && e.data.name === "shell");
    const callId = call?.type === "tool.call" ? call.data.callId : "";
    expect(outputOf(events, callId)).toContain("out-line");
    expect(outputOf(events, callId)).toContain("err-line");
    const uid = (await db().session.findUniqueOrThrow({ where: { id: s.id } })).sandboxUid;
    expect(uid).toBeGreaterThanOrEqual(200000);
    expect(outputOf(events, callId)).toContain(String(uid)); // the session's own uid, not root
    const result = events.find((e) => e.type === "tool.result" && e.data.callId === callId);
    expect(result?.type === "tool.result" && result.data.exitCode).toBe(3);

    const commit = events.find((e) => e.type === "commit");
    expect(commit).toBeTruthy();
    const row = await db().session.findUniqueOrThrow({ where: { id: s.id } });
    expect(row.headCommit).toBe(commit?.type === "commit" ? commit.data.sha : "");
    expect(row.inputTokens).toBeGreaterThan(0);
    expect(await readDiff(TEAM, s.id)).toContain("+hi from the agent");

    // The key reached the model only through the host gateway, never the container.
    expect(h.stub.requests.every((r) => r.headers["x-api-key"] === "test-key")).toBe(true);
    const info = await docker().getContainer(row.containerId!).inspect();
    expect(JSON.stringify(info.Config.Env)).not.toContain("test-key");
    expect(info.HostConfig.CapDrop).toEqual(["ALL"]);
    expect(info.HostConfig.SecurityOpt).toContain("no-new-privileges:true");
    expect(info.HostConfig.NetworkMode).toBe("none");
    expect(info.HostConfig.Memory).toBeGreaterThan(0);
    expect(info.HostConfig.PidsLimit).toBeGreaterThan(0);
    // The worker is root in the container with only what it needs to start the agent's processes as the session's uid.
    expect(info.Config.User).toBe("0:0");
    expect([...(info.HostConfig.CapAdd ?? [])].sort()).toEqual(["KILL", "SETGID", "SETUID"]);
    expect(info.Config.Labels["dockside.session"]).toBe(s.id);
    expect(JSON.stringify(info.Mounts)).not.toContain("docker.sock");
    const runDir = sessionPaths(env().dataDir, s.id).run;
    for (const f of fs.readdirSync(runDir, { recursive: true }) as string[]) {
      const p = path.join(runDir, f);
      if (fs.statSync(p).isFile()) expect(fs.readFileSync(p, "utf8")).not.toContain("test-key");
    }

    // A follow-up on an idle session starts a new turn.
    await h.orchestrator.sendMessage(TEAM, s.id, "now edit it");
    const after = await waitStatusEvent(s.id, "idle", 2);
    expect(after.filter((e) => e.type === "commit")).toHaveLength(2);
    const ws = sessionPaths(env().dataDir, s.id).workspace;
    expect(fs.readFileSync(path.join(ws, "notes/hello.txt"), "utf8")).toBe("hello from the agent\n");
  });

  it("stop interrupts a running command, stops the container and keeps the workspace", async () => {
    const repo = makeRepo();
    h.stub.addScript(script("TASK-stop", [{ blocks: [shell("echo started; sleep 120; echo never")] }]));
    const s = await h.orchestrator.createSession(TEAM, { repo, prompt: "TASK-stop" });
    await waitFor(async () => outputOf(await allEvents(s.id)).includes("started"), "the command to start");
    const t = Date.now();
    await h.orchestrator.stop(TEAM, s.id);
    await waitStatus(s.id, "stopped", 20_000);
    expect(Date.now() - t).toBeLessThan(15_000);
    const row = await db().session.findUniqueOrThrow({ where: { id: s.id } });
    const info = await docker().getContainer(row.containerId!).inspect();
    expect(info.State.Running).toBe(false);
    // The session's filesystem is unmounted with the sandbox; mounted again, the workspace is all there.
    await mountSessionFs(sessionPaths(env().dataDir, s.id));
    expect(fs.existsSync(path.join(sessionPaths(env().dataDir, s.id).workspace, "README.md"))).toBe(true);
    expect(outputOf(await allEvents(s.id))).not.toContain("never");
  });

  it("stops idle sandboxes to free resources, and a follow-up brings the session back", async () => {
    const repo = makeRepo();
    h.stub.addScript(script("TASK-idle", [{ blocks: [{ type: "text", text: "first turn" }] }, { blocks: [{ type: "text", text: "back again" }] }]));
    const s = await h.orchestrator.createSession(TEAM, { repo, prompt: "TASK-idle" });
    await waitStatusEvent(s.id, "idle");
    expect(await h.orchestrator.reapIdle(0)).toContain(s.id);
    await waitStatus(s.id, "stopped", 20_000);
    const row = await db().session.findUniqueOrThrow({ where: { id: s.id } });
    expect(row.failureReason).toBeNull();
    const stopped = (await allEvents(s.id)).filter((e) => e.type === "status" && e.data.status === "stopped");
    expect(stopped[0]?.type === "status" && stopped[0].data.reason).toMatch(/idle for 0 min/);
    await h.orchestrator.sendMessage(TEAM, s.id, "are you there?");
    await waitStatusEvent(s.id, "idle", 2);
    expect((await allEvents(s.id)).some((e) => e.type === "assistant.text" && e.data.text.includes("back again"))).toBe(true);
  });

  it("reattaches after a server restart without losing or duplicating events", async () => {
    const repo = makeRepo();
    h.stub.addScript(script("TASK-restart", [{ blocks: [shell("for i in $(seq 1 60); do echo tick-$i; sleep 0.1; done")] }, { blocks: [{ type: "text", text: "ok" }] }]));
    const s = await h.orchestrator.createSession(TEAM, { repo, prompt: "TASK-restart" });
    await waitFor(async () => outputOf(await allEvents(s.id)).includes("tick-5"), "output to start");
    await h.restart();
    const events = await waitStatusEvent(s.id, "idle");
    const lines = outputOf(events).trim().split("\n");
    expect(lines).toEqual(Array.from({ length: 60 }, (_, i) => `tick-${i + 1}`));
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it("refuses bad input at once with a message a person can act on", async () => {
    const repo = makeRepo();
    await expect(h.orchestrator.createSession(TEAM, { repo, baseBranch: "nope", prompt: "x" })).rejects.toThrow(/branch "nope" does not exist/);
    const notGit = fs.mkdtempSync("/tmp/notgit-");
    await expect(h.orchestrator.createSession(TEAM, { repo: notGit, prompt: "x" })).rejects.toThrow(/not a git repository/);
    await expect(h.orchestrator.createSession(TEAM, { repo: "https://127.0.0.1:1/x.git", prompt: "x" })).rejects.toThrow(/cannot reach/);
  });
});
