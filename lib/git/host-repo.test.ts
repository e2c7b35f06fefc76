// The host-owned repository takes the agent's work only as data: a bundle that holds the named
// commit on the session branch, and never more history than the session's disk quota.
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../test/fixtures";
import { connectDb, db } from "../db/client";
import { ensureDefaultTeam, DEFAULT_TEAM_ID } from "../sessions/team";
import { newSessionId } from "../sessions/create-session";
import { hostBranchHead, hostRepoPath, initHostRepo, receiveCheckpoint } from "./host-repo";
import { ensureMirror } from "./mirror";

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  await ensureDefaultTeam();
});

const sh = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=a", "-c", "user.email=a@a", ...args], { cwd, stdio: "pipe" }).toString().trim();

/** A session with host.git, and an agent's clone that committed `bytes` of incompressible data. */
async function agentWork(bytes: number, o: { origin?: string; mirror?: string } = {}) {
  const origin = o.origin ?? makeRepo();
  const id = newSessionId();
  const branch = `dockside/${id.slice(0, 8)}`;
  await db().session.create({ data: { id, teamId: DEFAULT_TEAM_ID, repo: origin, baseBranch: "main", branch, prompt: "p", model: "m", status: "idle" } });
  const base = await initHostRepo(hostRepoPath(id), origin, "main", branch, {}, { mirror: o.mirror });
  await db().session.update({ where: { id }, data: { baseCommit: base } });
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), "agent-ws-"));
  sh(ws, "clone", "-q", "--branch", "main", origin, ".");
  sh(ws, "checkout", "-q", "-b", branch);
  fs.writeFileSync(path.join(ws, "junk.bin"), crypto.randomBytes(bytes));
  sh(ws, "add", "-A");
  sh(ws, "commit", "-qm", "junk");
  const bundle = path.join(ws, "..", `${id}.bundle`);
  sh(ws, "bundle", "create", "-q", bundle, `refs/heads/${branch}`, `^${base}`);
  return { id, branch, head: sh(ws, "rev-parse", "HEAD"), bundle, base };
}

describe("checkpoints into the host-owned repository", () => {
  it("takes a bundle holding the named commit and records the commit from host.git", async () => {
    const w = await agentWork(1000);
    const event = await receiveCheckpoint(w.id, w.head, w.bundle);
    expect(event).toMatchObject({ type: "commit", data: { sha: w.head, filesChanged: 1 } });
    expect(await hostBranchHead(hostRepoPath(w.id), w.branch)).toBe(w.head);
    expect(await receiveCheckpoint(w.id, w.head, w.bundle)).toBeNull(); // a resend
  });

  it("refuses a bundle whose commit is not the one named", async () => {
    const w = await agentWork(1000);
    await expect(receiveCheckpoint(w.id, "f".repeat(40), w.bundle)).rejects.toMatchObject({ code: "invalid" });
    expect(await hostBranchHead(hostRepoPath(w.id), w.branch)).toBe(w.base);
  });

  it("refuses history past the session's disk quota, and keeps nothing of it", async () => {
    const w = await agentWork(3 * 1024 * 1024);
    await expect(receiveCheckpoint(w.id, w.head, w.bundle, 2 * 1024 * 1024)).rejects.toMatchObject({ code: "invalid", message: expect.stringMatching(/disk quota/) });
    expect(await hostBranchHead(hostRepoPath(w.id), w.branch)).toBe(w.base);
    expect(sh(hostRepoPath(w.id), "count-objects", "-v")).not.toMatch(/size-pack: [1-9]\d{3,}/);
  });

  it("counts only the session's own objects when host.git borrows the repository's mirror", async () => {
    // A repository whose history alone is past the quota: sessions on it still take checkpoints.
    const origin = makeRepo();
    fs.writeFileSync(path.join(origin, "history.bin"), crypto.randomBytes(3 * 1024 * 1024));
    sh(origin, "add", "-A");
    sh(origin, "commit", "-qm", "history");
    const mirror = await ensureMirror(crypto.randomUUID(), origin);
    const w = await agentWork(1000, { origin, mirror });
    expect(await receiveCheckpoint(w.id, w.head, w.bundle, 2 * 1024 * 1024)).toMatchObject({ type: "commit", data: { sha: w.head } });
    const big = await agentWork(3 * 1024 * 1024, { origin, mirror });
    await expect(receiveCheckpoint(big.id, big.head, big.bundle, 2 * 1024 * 1024)).rejects.toMatchObject({ code: "invalid", message: expect.stringMatching(/disk quota/) });
  });
});
