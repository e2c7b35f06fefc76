// Garbage collection on real parts, with the clock passed in: stopped sandboxes removed after
// their retention (a follow-up makes a new one and the agent resumes), workspaces archived
// (the image deleted, the branch kept in host.git) and restored from host.git, caches pruned,
// and Settings' disk figures counting a session's image.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../test/fixtures";
import { allEvents, outputOf, script, startHarness, TEAM, waitStatus, waitStatusEvent, type Harness } from "../../test/session-harness";
import { env } from "../config/env";
import { db } from "../db/client";
import { snapshotPath } from "../environments/snapshots";
import { HOST_GIT } from "../git/host-repo";
import { mirrorsRoot, mountMirrorsFs } from "../git/mirror";
import { git } from "../git/run";
import { sessionPaths } from "../git/workspace";
import { inspectSandbox } from "../sandbox/container";
import { prepareSessionFs, releaseSessionFs } from "../sandbox/session-fs";
import { archiveWorkspaces } from "./archive";
import { pruneEnvironments, pruneMirrors } from "./caches";
import { allocatedBytes, diskUsage } from "./disk-usage";
import { restoreWorkspace } from "./restore-workspace";
import { collectSandboxes } from "./sandboxes";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const tagged = (t: string) => `${t}-${crypto.randomBytes(3).toString("hex")}`;
const shell = (command: string) => ({ type: "tool_use" as const, name: "shell", input: { command } });

/** A session that wrote `file` in its first turn (checkpointed), then stopped. */
async function stoppedSession(tag: string, file: string, content: string, followUp: ReturnType<typeof shell>[] = []) {
  h.stub.addScript(
    script(tag, [
      { blocks: [{ type: "tool_use", name: "write_file", input: { path: file, content } }] },
      { blocks: [{ type: "text", text: "written" }] },
      ...followUp.map((b) => ({ blocks: [b] })),
      { blocks: [{ type: "text", text: "followed up" }] },
    ]),
  );
  const s = await h.orchestrator.createSession(TEAM, { repo: makeRepo({ "README.md": "# gc\n" }), prompt: tag });
  await waitStatusEvent(s.id, "idle");
  await h.orchestrator.stop(TEAM, s.id);
  await waitStatus(s.id, "stopped");
  return s.id;
}

describe("garbage collection", () => {
  it("removes a stopped sandbox after its retention, once; a follow-up makes a new one and the agent resumes", async () => {
    const tag = tagged("TASK-gcsandbox");
    const id = await stoppedSession(tag, "kept.txt", "still here\n", [shell("cat kept.txt")]);
    const before = await db().session.findUniqueOrThrow({ where: { id } });
    expect(before.containerId).toBeTruthy();

    expect(await collectSandboxes(new Date(), 24)).not.toContain(id);
    expect(await inspectSandbox(before.containerId!)).not.toBeNull();

    const later = new Date(Date.now() + 25 * HOUR);
    expect(await collectSandboxes(later, 24)).toContain(id);
    expect(await inspectSandbox(before.containerId!)).toBeNull();
    const after = await db().session.findUniqueOrThrow({ where: { id } });
    expect(after.containerId).toBeNull();
    expect(after.sandboxRemovedAt?.getTime()).toBe(later.getTime());
    expect(await collectSandboxes(later, 24)).not.toContain(id);

    await h.orchestrator.sendMessage(TEAM, id, "show me the file");
    const events = await waitStatusEvent(id, "idle", 2);
    expect(outputOf(events)).toContain("still here");
    const resumed = await db().session.findUniqueOrThrow({ where: { id } });
    expect(resumed.containerId).toBeTruthy();
    expect(resumed.containerId).not.toBe(before.containerId);
  }, 240_000);

  it("archives an ended session's workspace (image gone, branch kept) and restores it from host.git for a follow-up", async () => {
    const tag = tagged("TASK-gcarchive");
    const id = await stoppedSession(tag, "notes/archived.txt", "archived work\n", [shell("cat notes/archived.txt; git log --oneline | wc -l")]);
    const paths = sessionPaths(env().dataDir, id);
    const row = await db().session.findUniqueOrThrow({ where: { id } });
    expect(fs.existsSync(paths.fsImage)).toBe(true);

    expect(await archiveWorkspaces(new Date(Date.now() + 13 * DAY), 14)).not.toContain(id);
    const later = new Date(Date.now() + 15 * DAY);
    expect(await archiveWorkspaces(later, 14)).toContain(id);
    expect(await archiveWorkspaces(later, 14)).not.toContain(id);
    expect(fs.existsSync(paths.fsImage)).toBe(false);
    const archived = await db().session.findUniqueOrThrow({ where: { id } });
    expect(archived.workspaceArchivedAt?.getTime()).toBe(later.getTime());
    expect(archived.containerId).toBeNull();
    // The branch stays in the host's repository, at the checkpoint.
    const shown = await git([...HOST_GIT, "-C", paths.hostRepo, "show", `${row.headCommit}:notes/archived.txt`]);
    expect(shown.stdout).toBe("archived work\n");

    // What the launch does for a follow-up: prepare the filesystem (a new image), then restore.
    await prepareSessionFs(paths, { uid: row.sandboxUid, gid: row.sandboxUid });
    expect(await restoreWorkspace(id)).toBe(true);
    expect(fs.readFileSync(path.join(paths.workspace, "notes/archived.txt"), "utf8")).toBe("archived work\n");
    expect(fs.statSync(path.join(paths.workspace, "notes/archived.txt")).uid).toBe(row.sandboxUid);
    expect((await db().session.findUniqueOrThrow({ where: { id } })).workspaceArchivedAt).toBeNull();
    expect(await restoreWorkspace(id)).toBe(false);
    await releaseSessionFs(paths);

    await h.orchestrator.sendMessage(TEAM, id, "is it there?");
    const events = await waitStatusEvent(id, "idle", 2);
    expect(outputOf(events)).toContain("archived work");
  }, 240_000);

  it("counts a session's filesystem image in the disk figures", async () => {
    const sessions = path.join(env().dataDir, "sessions");
    const ids = fs.readdirSync(sessions);
    expect(ids.length).toBeGreaterThan(0);
    const images = ids.flatMap((i) => [sessionPaths(env().dataDir, i).fsImage, sessionPaths(env().dataDir, i).runImage]);
    const own = await allocatedBytes(images);
    const u = await diskUsage();
    expect(u.totalBytes).toBeGreaterThan(u.freeBytes);
    expect(u.freeBytes).toBeGreaterThan(0);
    expect(u.sessions).toBe(ids.length);
    // Sparse images count what they hold: more than nothing, far less than their size.
    expect(own).toBeGreaterThan(1024 * 1024);
    expect(u.usage.sessionFilesystems).toBeGreaterThanOrEqual(own);
    expect(u.usage.sessionFilesystems).toBeLessThan(ids.length * env().DOCKSIDE_SESSION_DISK_GB * 1024 ** 3);
    expect(u.usage.hostRepositories).toBeGreaterThan(0);
    expect(u.usage.database).toBeGreaterThan(1024 * 1024);
    expect(u.retention).toMatchObject({ sandboxHours: 24, archiveDays: 14, mirrorDays: 30 });
  });

  it("evicts cached environments least recently used first, down to the limit", async () => {
    const repo = await db().repository.create({ data: { id: crypto.randomUUID(), teamId: TEAM, kind: "https", location: `https://git.example.com/${tagged("gc")}`, source: "https://git.example.com/gc.git", name: "gc" } });
    const ids: string[] = [];
    for (const [i, age] of [3, 1, 2].entries()) {
      const key = crypto.randomBytes(32).toString("hex");
      const file = snapshotPath(repo.id, key);
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(file, Buffer.alloc(1000));
      const r = await db().environmentSnapshot.create({ data: { id: `gcenv${i}${key.slice(0, 6)}`, teamId: TEAM, repositoryId: repo.id, key, basis: `basis ${i}`, sizeBytes: 1000, setupMs: 10, lastUsedAt: new Date(Date.now() - age * HOUR) } });
      ids.push(r.id);
    }
    const others = await db().environmentSnapshot.aggregate({ where: { repositoryId: { not: repo.id } }, _sum: { sizeBytes: true } });
    const evicted = await pruneEnvironments(Number(others._sum.sizeBytes ?? 0) + 1000);
    // Oldest use first (ids[0], then ids[2]); the most recently used stays.
    expect(evicted).toEqual(expect.arrayContaining([ids[0], ids[2]]));
    expect(evicted).not.toContain(ids[1]);
    const left = await db().environmentSnapshot.findMany({ where: { repositoryId: repo.id } });
    expect(left.map((r) => r.id)).toEqual([ids[1]]);
    expect(fs.existsSync(snapshotPath(repo.id, left[0].key))).toBe(true);
    expect(await pruneEnvironments(Number(others._sum.sizeBytes ?? 0) + 1000)).toEqual([]);
  });

  it("removes an unregistered, unused mirror nobody borrows from, and keeps registered ones", async () => {
    await mountMirrorsFs();
    const make = async (id: string) => {
      const dir = path.join(mirrorsRoot(), id, "mirror.git");
      fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
      expect((await git(["init", "-q", "--bare", dir])).code).toBe(0);
      return dir;
    };
    const orphan = await make(crypto.randomUUID());
    const registered = crypto.randomUUID();
    await db().repository.create({ data: { id: registered, teamId: TEAM, kind: "https", location: `https://git.example.com/${registered}`, source: "https://git.example.com/r.git", name: "r" } });
    const kept = await make(registered);

    expect((await pruneMirrors(new Date(), 30)).removed).not.toContain(path.basename(path.dirname(orphan)));
    expect(fs.existsSync(orphan)).toBe(true);
    const r = await pruneMirrors(new Date(Date.now() + 31 * DAY), 30);
    expect(r.removed).toContain(path.basename(path.dirname(orphan)));
    expect(fs.existsSync(path.dirname(orphan))).toBe(false);
    expect(fs.existsSync(kept)).toBe(true);
  });
});
