// The free-space floor and the fallback quota, driven by injected readings (the disk is never filled).
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../test/fixtures";
import { allEvents, script, startHarness, waitStatus, type Harness } from "../../test/session-harness";
import { env } from "../config/env";
import { db } from "../db/client";
import { isAppError } from "../errors";
import { sessionPaths } from "../git/workspace";
import { assertDiskFloor, diskGuard } from "./disk-guard";
import { prepareSessionFs, removeSessionFs } from "./session-fs";

const GB = 1024 ** 3;
let h: Harness;
// Its own team: the guard stops every running session it is shown, and other test files share the database.
const TEAM = `disk-guard-${crypto.randomUUID()}`;
beforeAll(async () => {
  h = await startHarness();
  await db().team.create({ data: { id: TEAM, name: "Disk guard", slug: TEAM } });
});
afterAll(async () => {
  await h?.close();
});

// A session whose sandbox is up and waiting for a follow-up, as the orchestrator records it.
async function idleSession(): Promise<string> {
  const id = crypto.randomBytes(8).toString("hex");
  await db().session.create({ data: { id, teamId: TEAM, repo: "/nowhere", baseBranch: "main", branch: `dockside/${id.slice(0, 8)}`, prompt: "p", model: "m", status: "idle" } });
  return id;
}

async function stopReason(id: string): Promise<string | undefined> {
  const last = (await allEvents(id)).filter((e) => e.type === "status").at(-1);
  return last?.type === "status" && last.data.status === "stopped" ? (last.data.reason ?? "") : undefined;
}

describe("the disk guard", () => {
  it("stops running sessions with a reason a person can act on when the host's disk falls below the floor", async () => {
    const id = await idleSession();
    const stopped = await diskGuard({ teamId: TEAM, readFree: async () => 1.2 * GB }).check();
    expect(stopped).toContain(id);
    expect((await db().session.findUniqueOrThrow({ where: { id } })).status).toBe("stopped");
    expect(await stopReason(id)).toBe(
      "the host's disk has 1.2 GB free, below the 2 GB floor: sessions were stopped so the database and Docker keep working; free disk space and send a follow-up to resume",
    );
  });

  it("stops a session whose agent is mid-command in its sandbox", async () => {
    h.stub.addScript(script("TASK-disk-guard", [{ blocks: [{ type: "tool_use", name: "shell", input: { command: "sleep 300" } }] }]));
    const s = await h.orchestrator.createSession(TEAM, { repo: makeRepo(), prompt: "TASK-disk-guard: wait" });
    await waitStatus(s.id, "running");
    expect(await diskGuard({ teamId: TEAM, readFree: async () => 1.2 * GB }).check()).toEqual([s.id]);
    await waitStatus(s.id, "stopped");
    expect(await stopReason(s.id)).toContain("the host's disk has 1.2 GB free, below the 2 GB floor");
  });

  it("leaves sessions alone above the floor", async () => {
    const id = await idleSession();
    expect(await diskGuard({ teamId: TEAM, readFree: async () => 50 * GB }).check()).not.toContain(id);
    expect((await db().session.findUniqueOrThrow({ where: { id } })).status).toBe("idle");
    await db().session.update({ where: { id }, data: { status: "stopped" } });
  });

  it("refuses new sessions below the floor", async () => {
    const err = await assertDiskFloor(async () => 0.5 * GB).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe("unavailable");
    expect((err as Error).message).toContain("512 MB free, below the 2 GB floor");
    await expect(assertDiskFloor(async () => 3 * GB)).resolves.toBeUndefined();
  });

  it("stops a plain-directory session over its quota (hosts without loop mounts)", async () => {
    const id = await idleSession();
    const paths = sessionPaths(env().dataDir, id);
    await prepareSessionFs(paths, { uid: 400_000, gid: 400_000, mode: "directory" });
    const guard = diskGuard({ teamId: TEAM, readFree: async () => 50 * GB, readUsage: async (dir) => (dir === paths.mnt ? 11 * GB : 0) });
    expect(await guard.check()).toEqual([id]);
    expect(await stopReason(id)).toContain("the session's files use 11 GB, over its 10 GB disk quota");
    await removeSessionFs(paths);
  });
});
