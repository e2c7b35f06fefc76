// Deleting a session on real parts: a sandbox in Docker, the loop-mounted filesystem image,
// host.git and the rows. Who may delete (creator, admins, owners; other members and viewers 403;
// outsiders 404), that nothing of it stays on the host or in the engine, and that the audit entry does.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../test/fixtures";
import { script, startHarness, TEAM, waitStatus, waitStatusEvent, type Harness } from "../../test/session-harness";
import { authorizeSession } from "../auth/authorize";
import type { Caller } from "../auth/caller";
import { addToTeam, createTeamFor } from "../cli/teams";
import { createUser } from "../cli/users";
import { env } from "../config/env";
import { db } from "../db/client";
import { isAppError } from "../errors";
import { sessionPaths } from "../git/workspace";
import { inspectSandbox } from "../sandbox/container";
import { mountAt } from "../sandbox/mounts";
import type { Role } from "../auth/roles";
import { deleteSession } from "./delete-session";
import { getSession } from "./dto";

let h: Harness;
const people = {} as Record<"creator" | "member" | "viewer" | "admin" | "outsider", Caller>;

beforeAll(async () => {
  h = await startHarness();
  const tag = crypto.randomBytes(4).toString("hex");
  // The first account of an install owns the default team: keep that one out of the way.
  await createUser({ email: `root-${tag}@delete.example`, password: "delete-password-1", name: "Root" });
  const roles: Record<keyof typeof people, Role | null> = { creator: "member", member: "member", viewer: "viewer", admin: "admin", outsider: null };
  for (const [who, role] of Object.entries(roles) as [keyof typeof people, Role | null][]) {
    const email = `${who}-${tag}@delete.example`;
    const u = await createUser({ email, password: "delete-password-1", name: `${who} ${tag}` });
    if (role) await addToTeam(TEAM, email, role);
    else await createTeamFor(`Outsiders ${tag}`, email);
    people[who] = { user: { id: u.id, name: u.name ?? who, email }, via: "token" };
  }
}, 120_000);
afterAll(async () => {
  await h?.close();
});

/** What DELETE /api/sessions/:id does after authentication: authorize, then delete. */
async function del(who: keyof typeof people, id: string): Promise<number> {
  try {
    const access = await authorizeSession(people[who], id, "session.stop");
    await deleteSession(access, id, h.orchestrator);
    return 204;
  } catch (err) {
    if (isAppError(err)) return err.status;
    throw err;
  }
}

async function startOne(prompt: string) {
  // Started by Dockside (which registers the repository), then credited to `creator`.
  const s = await h.orchestrator.createSession(TEAM, { repo: makeRepo({ "README.md": "# del\n" }), prompt });
  await db().session.update({ where: { id: s.id }, data: { createdById: people.creator.user.id } });
  await waitStatusEvent(s.id, "idle");
  return s.id;
}

describe("DELETE a session", () => {
  it("lets its creator delete it while its sandbox runs: container, image, host.git and rows go, the audit entry stays", async () => {
    const tag = `TASK-del-${crypto.randomBytes(3).toString("hex")}`;
    h.stub.addScript(script(tag, [{ blocks: [{ type: "tool_use", name: "write_file", input: { path: "kept.txt", content: "work\n" } }] }, { blocks: [{ type: "text", text: "wrote it" }] }]));
    const id = await startOne(`${tag}: write a file\nsecond line`);
    const row = await db().session.findUniqueOrThrow({ where: { id } });
    const paths = sessionPaths(env().dataDir, id);
    expect(row.containerId).toBeTruthy();
    expect((await inspectSandbox(row.containerId!))?.running).toBe(true);
    expect(fs.existsSync(paths.hostRepo)).toBe(true);

    expect(await del("member", id)).toBe(403);
    expect(await del("viewer", id)).toBe(403);
    expect(await del("outsider", id)).toBe(404);
    expect(await db().session.count({ where: { id } })).toBe(1);

    expect(await del("creator", id)).toBe(204);
    expect(await inspectSandbox(row.containerId!)).toBeNull();
    expect(fs.existsSync(paths.root)).toBe(false);
    expect(mountAt(paths.mnt)).toBeNull();
    expect(await db().session.count({ where: { id } })).toBe(0);
    expect(await db().event.count({ where: { sessionId: id } })).toBe(0);
    await expect(getSession(TEAM, id)).rejects.toMatchObject({ code: "not_found" });
    expect(await del("creator", id)).toBe(404);

    const audit = await db().auditEntry.findFirstOrThrow({ where: { targetId: id, action: "session.deleted" } });
    expect(audit.actorId).toBe(people.creator.user.id);
    expect(audit.data).toMatchObject({ prompt: `${tag}: write a file` });
    expect(String((audit.data as { repo: string }).repo)).toContain("/");
  }, 180_000);

  it("lets an admin delete another person's stopped session, not while a host git command works in it", async () => {
    const tag = `TASK-del2-${crypto.randomBytes(3).toString("hex")}`;
    h.stub.addScript(script(tag, [{ blocks: [{ type: "text", text: "nothing to do" }] }]));
    const id = await startOne(tag);
    await h.orchestrator.stop(TEAM, id);
    await waitStatus(id, "stopped");
    const paths = sessionPaths(env().dataDir, id);
    expect(fs.existsSync(paths.fsImage) || fs.existsSync(paths.mnt)).toBe(true);
    // A host git command working in its host.git (as a merge or push would): refused, nothing removed.
    const busy = spawn("git", ["-C", paths.hostRepo, "cat-file", "--batch"], { stdio: ["pipe", "ignore", "ignore"] });
    const exited = new Promise((r) => busy.once("exit", r));
    try {
      expect(await del("admin", id)).toBe(409);
      expect(fs.existsSync(paths.hostRepo)).toBe(true);
    } finally {
      busy.stdin.end();
      await exited;
    }
    expect(await del("admin", id)).toBe(204);
    expect(fs.existsSync(paths.root)).toBe(false);
    expect(await db().session.count({ where: { id } })).toBe(0);
  }, 180_000);
});
