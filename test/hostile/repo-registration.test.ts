// Hostile users and agents: repository registration. Each test plants the attack and asserts it fails.
//  1. Team B registers `<team A's repo>/.git`: a different key, the same repository. B then merges
//     into A's protected main (B's registration protects nothing), through updateInstead.
//  2. Chain to root on the host: B's merge plants a bare repository (agent-authored config) inside
//     A's work tree; B registers that nested path (it is under DOCKSIDE_REPO_ROOTS); B's next merge
//     pushes into it and git's receive-pack runs its `core.alternateRefsCommand` as the host's user.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../fixtures";
import { authorize, type Access } from "../../lib/auth/authorize";
import type { Role } from "../../lib/auth/roles";
import { connectDb, db } from "../../lib/db/client";
import { makeTeam, makeUser } from "../../lib/history/test-fixtures";
import { hostRepoPath, initHostRepo } from "../../lib/git/host-repo";
import { addRepository } from "../../lib/repos/register-repository";
import { assertMayMerge } from "../../lib/repos/session-repository";
import { mergeBranch } from "../../lib/review/ship";
import { insertSession } from "../../lib/sessions/create-session";

beforeAll(() => void connectDb(process.env.DATABASE_URL!));

async function person(teamId: string, role: Role): Promise<Access> {
  const caller = await makeUser(role);
  await db().member.create({ data: { teamId, userId: caller.user.id, role } });
  return authorize(caller, teamId, "team.read");
}

const sh = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, stdio: "pipe" }).toString().trim();

/** A session of `a`'s team on `repo`, with host.git holding a commit that adds `files` (the agent's checkpoint, as data). */
async function sessionWithCommit(a: Access, repo: string, files: Record<string, Buffer | string>): Promise<{ id: string; branch: string; baseBranch: string; repo: string }> {
  const { id } = await insertSession(a.teamId, { repo, prompt: "work" });
  const s = await db().session.findUniqueOrThrow({ where: { id } });
  const hostRepo = hostRepoPath(id);
  const base = await initHostRepo(hostRepo, repo, s.baseBranch, s.branch);
  await db().session.update({ where: { id }, data: { baseCommit: base } });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "rt-scratch-"));
  sh(scratch, "init", "-q");
  sh(scratch, "fetch", "-q", hostRepo, `${s.branch}:refs/heads/work`);
  sh(scratch, "checkout", "-q", "work");
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(scratch, name)), { recursive: true });
    fs.writeFileSync(path.join(scratch, name), content);
  }
  sh(scratch, "add", "-A");
  sh(scratch, "commit", "-q", "-m", "agent work");
  sh(hostRepo, "fetch", "-q", scratch, `+refs/heads/work:refs/heads/${s.branch}`);
  return { id, branch: s.branch, baseBranch: s.baseBranch, repo: s.repo };
}

/** The files of a bare repository whose config runs `cmd` whenever git advertises its alternates (receive-pack does). */
function evilBareRepoFiles(prefix: string, alternateOf: string, cmd: string): Record<string, Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rt-evil-"));
  const bare = path.join(dir, "x.git");
  const src = makeRepo({ "a.txt": "a\n" });
  execFileSync("git", ["init", "-q", "--bare", "-b", "main", bare]);
  sh(src, "push", "-q", bare, "main:main");
  fs.rmSync(path.join(bare, "hooks"), { recursive: true, force: true });
  fs.appendFileSync(path.join(bare, "config"), `[core]\n\talternateRefsCommand = ${cmd}\n`);
  fs.writeFileSync(path.join(bare, "objects", "info", "alternates"), `${alternateOf}\n`);
  const out: Record<string, Buffer> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(bare, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else out[path.join(prefix, r)] = fs.readFileSync(path.join(bare, r));
    }
  };
  walk("");
  return out;
}

describe("red team: repositories belong to teams", () => {
  it("a local repository registered to team A cannot be registered by team B through its .git directory", async () => {
    const [teamA, teamB] = [await makeTeam(), await makeTeam()];
    const ownerA = await person(teamA, "owner");
    const ownerB = await person(teamB, "owner");
    const repoA = makeRepo();
    await addRepository(ownerA, { repo: repoA, protectedBranches: ["main"] });
    await expect(addRepository(ownerB, { repo: `${repoA}/.git` })).rejects.toMatchObject({ code: "conflict" });
  });

  it("team B cannot merge into team A's protected main via <repo>/.git, nor reach root on the host through a nested repository it planted", async () => {
    const [teamA, teamB] = [await makeTeam(), await makeTeam()];
    const ownerA = await person(teamA, "owner");
    const ownerB = await person(teamB, "owner");
    const memberB = await person(teamB, "member");
    const repoA = makeRepo();
    await addRepository(ownerA, { repo: repoA, protectedBranches: ["main"] });
    const mainBefore = sh(repoA, "rev-parse", "main");
    const canary = fs.mkdtempSync(path.join(os.tmpdir(), "rt-canary-"));

    // Step 1: register A's git directory to B (accepted today) and merge into A's protected main as a *member* of B.
    await addRepository(ownerB, { repo: `${repoA}/.git` }).catch(() => undefined);
    let stepOneBlocked = false;
    try {
      const s1 = await sessionWithCommit(ownerB, `${repoA}/.git`, evilBareRepoFiles("evil", path.join(repoA, ".git", "objects"), `touch ${canary}/RAN_AS_$(id -u); true`));
      await assertMayMerge(memberB, { teamId: teamB, repo: s1.repo, baseBranch: s1.baseBranch, repositoryId: (await db().session.findUniqueOrThrow({ where: { id: s1.id } })).repositoryId });
      await mergeBranch({ sessionId: s1.id, teamId: teamB, repo: s1.repo, baseBranch: s1.baseBranch, branch: s1.branch }, "merge", { name: "b", email: "b@b" }, "merge");
    } catch {
      stepOneBlocked = true;
    }
    // Step 2: the nested repository is now in A's work tree; B registers it and merges into it.
    if (!stepOneBlocked && fs.existsSync(path.join(repoA, "evil", "config"))) {
      await addRepository(ownerB, { repo: path.join(repoA, "evil") }).catch(() => undefined);
      const s2 = await sessionWithCommit(ownerB, path.join(repoA, "evil"), { "b.txt": "b\n" }).catch(() => null);
      if (s2) await mergeBranch({ sessionId: s2.id, teamId: teamB, repo: s2.repo, baseBranch: s2.baseBranch, branch: s2.branch }, "merge", { name: "b", email: "b@b" }, "m").catch(() => undefined);
    }
    // Correct behaviour: A's protected main untouched, nothing ran on the host.
    expect({ mainMoved: sh(repoA, "rev-parse", "main") !== mainBefore, ranOnHost: fs.readdirSync(canary) }).toEqual({ mainMoved: false, ranOnHost: [] });
  });
});
