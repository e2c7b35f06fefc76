// Sessions of a repository share one host-owned mirror of it: host.git and the workspace borrow
// its objects (alternates), so a session costs what it adds, not the repository's history. The
// agent's git works on borrowed objects it cannot write; checkpoints, forks and merges still work.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../test/fixtures";
import { env } from "../config/env";
import { connectDb, db } from "../db/client";
import { MIRROR_OBJECTS_IN_SANDBOX } from "../protocol/worker";
import { mergeBranch } from "../review/ship";
import { sessionFsMode } from "../sandbox/fs-mode";
import { mountAt } from "../sandbox/mounts";
import { newSessionId } from "../sessions/create-session";
import { DEFAULT_TEAM_ID, ensureDefaultTeam } from "../sessions/team";
import { hostBranchHead, importCheckpoint, initHostRepo, receiveCheckpoint } from "./host-repo";
import { borrowedMirrorObjects, ensureMirror, mirrorObjectsDir, mirrorPath, mirrorsRoot } from "./mirror";
import { cloneWorkspace, sessionPaths } from "./workspace";

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  await ensureDefaultTeam();
});

const sh = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=a", "-c", "user.email=a@a", "-c", "safe.directory=*", ...args], { cwd, stdio: "pipe" }).toString().trim();
/** git in a workspace on the host: its alternates name the sandbox's path, so point git at the mirror's. */
const wsGit = (ws: string, mirrorObjects: string, ...args: string[]) =>
  execFileSync("git", ["-c", "safe.directory=*", ...args], { cwd: ws, stdio: "pipe", env: { ...process.env, GIT_ALTERNATE_OBJECT_DIRECTORIES: mirrorObjects } }).toString().trim();

/** An origin with `mb` MB of incompressible history on main (over several commits) and a feature branch. */
function bigOrigin(mb = 3): string {
  const origin = makeRepo();
  for (let i = 0; i < mb * 2; i++) {
    fs.writeFileSync(path.join(origin, `data-${i % 3}.bin`), crypto.randomBytes(512 * 1024));
    sh(origin, "add", "-A");
    sh(origin, "commit", "-qm", `data ${i}`);
  }
  sh(origin, "branch", "feature");
  sh(origin, "tag", "v1");
  return origin;
}

/** Bytes of the files under `dir`. */
function bytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += bytes(p);
    else if (e.isFile()) total += fs.statSync(p).size;
  }
  return total;
}
const files = (dir: string): string[] => fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();

const agentUid = () => 290_000 + crypto.randomInt(9_000);

/** A session's host.git and workspace, borrowing from `mirror` (or not). */
async function session(origin: string, mirror?: string, uid = agentUid()) {
  const id = newSessionId();
  const branch = `dockside/${id.slice(0, 8)}`;
  const paths = sessionPaths(env().dataDir, id);
  const base = await initHostRepo(paths.hostRepo, origin, "main", branch, {}, { mirror });
  await cloneWorkspace(paths, branch, uid, uid, { mirror });
  return { id, branch, paths, base, uid };
}

describe("the repository's mirror", () => {
  it("is created once, host-only and hardened, and refreshed in place", async () => {
    const origin = bigOrigin(1);
    const id = crypto.randomUUID();
    const t0 = performance.now();
    const mirror = await ensureMirror(id, origin);
    const firstMs = performance.now() - t0;
    expect(mirror).toBe(mirrorPath(id));
    expect(fs.statSync(mirrorsRoot()).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.dirname(mirror)).mode & 0o777).toBe(0o700);
    expect(sh(mirror, "rev-parse", "refs/heads/main")).toBe(sh(origin, "rev-parse", "main"));
    expect(sh(mirror, "rev-parse", "refs/heads/feature")).toBe(sh(origin, "rev-parse", "feature"));
    expect(sh(mirror, "for-each-ref", "refs/tags")).toBe(""); // branches only
    expect(sh(mirror, "config", "--get", "gc.auto")).toBe("0");
    expect(sh(mirror, "config", "--get", "gc.pruneExpire")).toBe("never");
    expect(sh(mirror, "config", "--get", "transfer.fsckObjects")).toBe("true");
    // The sandbox's uid reads the objects through its bind (the directories above stay 0700).
    for (const f of files(path.join(mirror, "objects"))) expect(fs.statSync(f).mode & 0o004).toBe(0o004);
    expect(fs.readdirSync(path.dirname(mirror)).sort()).toEqual(["mirror.git"]); // no lock or temporary left

    const ino = fs.statSync(mirror).ino;
    const t1 = performance.now();
    await ensureMirror(id, origin);
    const refreshMs = performance.now() - t1;
    expect(fs.statSync(mirror).ino).toBe(ino);
    console.log(`[mirror] first fetch of 1 MB: ${firstMs.toFixed(0)} ms; refresh with nothing new: ${refreshMs.toFixed(0)} ms`);

    // Something else in a mirror's place is never replaced (sessions may borrow from it): refused.
    const odd = crypto.randomUUID();
    fs.mkdirSync(mirrorPath(odd), { recursive: true });
    fs.writeFileSync(path.join(mirrorPath(odd), "keep"), "x");
    await expect(ensureMirror(odd, origin)).rejects.toMatchObject({ code: "internal", message: expect.stringMatching(/not a git repository/) });
    expect(fs.readdirSync(mirrorPath(odd))).toEqual(["keep"]);
    expect(() => mirrorPath("../x")).toThrow();
  });

  it("gives two sessions a host.git and a workspace of kilobytes, resolving the base through the mirror", async () => {
    const origin = bigOrigin(3);
    const id = crypto.randomUUID();
    const mirror = await ensureMirror(id, origin);
    const mirrorBytes = bytes(path.join(mirror, "objects"));
    expect(mirrorBytes).toBeGreaterThan(3 * 2 ** 20);
    for (const s of [await session(origin, mirror), await session(origin, mirror)]) {
      expect(s.base).toBe(sh(origin, "rev-parse", "main"));
      const host = bytes(path.join(s.paths.hostRepo, "objects"));
      const ws = bytes(path.join(s.paths.workspace, ".git", "objects"));
      console.log(`[mirror] session objects: host.git ${host} B, workspace ${ws} B (the mirror: ${mirrorBytes} B)`);
      expect(host).toBeLessThan(4096);
      expect(ws).toBeLessThan(4096);
      // host.git: the base and its whole history through the mirror's objects.
      expect(fs.readFileSync(path.join(s.paths.hostRepo, "objects/info/alternates"), "utf8")).toBe(`${mirrorObjectsDir(id)}\n`);
      expect(await borrowedMirrorObjects(s.paths.hostRepo)).toBe(mirrorObjectsDir(id));
      expect(sh(s.paths.hostRepo, "rev-parse", `refs/heads/${s.branch}`)).toBe(s.base);
      sh(s.paths.hostRepo, "fsck", "--connectivity-only", "--no-dangling");
      // The workspace: checked out, borrowing from where the sandbox sees the mirror.
      expect(fs.readFileSync(path.join(s.paths.workspace, ".git/objects/info/alternates"), "utf8")).toBe(`${MIRROR_OBJECTS_IN_SANDBOX}\n`);
      for (const f of ["README.md", "data-0.bin", "data-1.bin", "data-2.bin"]) {
        expect(fs.readFileSync(path.join(s.paths.workspace, f)).equals(fs.readFileSync(path.join(origin, f)))).toBe(true);
      }
      expect(wsGit(s.paths.workspace, mirrorObjectsDir(id), "rev-parse", "HEAD")).toBe(s.base);
      expect(wsGit(s.paths.workspace, mirrorObjectsDir(id), "status", "--porcelain")).toBe("");
      if (process.getuid?.() === 0) expect(fs.statSync(path.join(s.paths.workspace, ".git/objects/info/alternates")).uid).toBe(s.uid);
    }
    // Without a mirror (a session of no registration): whole copies, as before, and nothing borrowed.
    const plain = await session(origin);
    expect(bytes(path.join(plain.paths.hostRepo, "objects"))).toBeGreaterThan(3 * 2 ** 20);
    expect(bytes(path.join(plain.paths.workspace, ".git", "objects"))).toBeGreaterThan(3 * 2 ** 20);
    expect(fs.existsSync(path.join(plain.paths.workspace, ".git/objects/info/alternates"))).toBe(false);
    expect(await borrowedMirrorObjects(plain.paths.hostRepo)).toBeNull();
    sh(plain.paths.workspace, "fsck", "--connectivity-only", "--no-dangling");
  });

  const canSimulateSandbox = process.getuid?.() === 0 && spawnSync("unshare", ["-m", "true"]).status === 0 && spawnSync("setpriv", ["--help"]).status === 0;

  it.skipIf(!canSimulateSandbox)("lets the agent's uid commit, bundle, reset, fetch and gc on objects it cannot write; the checkpoint and a fork come back to the host", async () => {
    const origin = bigOrigin(1);
    const mirror = await ensureMirror(crypto.randomUUID(), origin);
    const s = await session(origin, mirror);
    await db().session.create({ data: { id: s.id, teamId: DEFAULT_TEAM_ID, repo: origin, baseBranch: "main", branch: s.branch, prompt: "p", model: "m", status: "idle", baseCommit: s.base } });
    const before = files(path.join(mirror, "objects"));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "agent-out-"));
    fs.chmodSync(out, 0o777);
    // What the container does: the mirror's objects read-only at MIRROR_OBJECTS_IN_SANDBOX, the
    // workspace at /workspace, and git run as the session's uid (worker: sandbox/worker/git.ts).
    const agent = [
      "set -e",
      "cd /opt/workspace", // the container's /workspace
      'G="git -c safe.directory=* -c core.hooksPath=/dev/null -c commit.gpgsign=false -c user.name=agent -c user.email=agent@sandbox"',
      'test -z "$($G status --porcelain)"',
      "echo work > work.txt",
      "$G add -A",
      "$G commit -qm work",
      "$G fsck --connectivity-only --no-dangling",
      `$G bundle create -q ${out}/cp.bundle refs/heads/${s.branch} ^${s.base}`,
      `$G reset -q --hard ${s.base}`,
      "test ! -e work.txt",
      `$G fetch -q --no-tags --no-write-fetch-head ${out}/cp.bundle +refs/heads/${s.branch}:refs/dockside/base`,
      "$G reset -q --hard refs/dockside/base",
      "test -e work.txt",
      "$G gc -q",
      "$G fsck --connectivity-only --no-dangling",
      `$G rev-parse HEAD > ${out}/head`,
      `if touch ${MIRROR_OBJECTS_IN_SANDBOX}/planted 2>/dev/null; then echo "the mirror is writable"; exit 9; fi`,
      `if rm -f ${MIRROR_OBJECTS_IN_SANDBOX}/pack/*.pack 2>/dev/null && ! ls ${MIRROR_OBJECTS_IN_SANDBOX}/pack/*.pack >/dev/null 2>&1; then echo "the mirror lost a pack"; exit 9; fi`,
    ].join("\n");
    const root = [
      "set -e",
      "mount -t tmpfs -o mode=755 none /opt",
      `mkdir -p ${MIRROR_OBJECTS_IN_SANDBOX} /opt/workspace`,
      `mount --bind "$MIRROR_OBJECTS" ${MIRROR_OBJECTS_IN_SANDBOX}`,
      `mount -o remount,bind,ro ${MIRROR_OBJECTS_IN_SANDBOX}`,
      'mount --bind "$WS" /opt/workspace',
      `grep ' ${MIRROR_OBJECTS_IN_SANDBOX} ' /proc/self/mountinfo > ${out}/mountinfo`,
      'exec setpriv --reuid="$U" --regid="$U" --clear-groups env -i PATH=/usr/bin:/bin HOME=/tmp sh -c "$AGENT"',
    ].join("\n");
    const r = spawnSync("unshare", ["-m", "--propagation", "private", "sh", "-c", root], { env: { ...process.env, MIRROR_OBJECTS: path.join(mirror, "objects"), WS: s.paths.workspace, U: String(s.uid), AGENT: agent }, encoding: "utf8" });
    expect(r.stderr + r.stdout).toBe("");
    expect(r.status).toBe(0);
    expect(files(path.join(mirror, "objects"))).toEqual(before);
    const head = fs.readFileSync(path.join(out, "head"), "utf8").trim();
    // Where loop mounts work, the mirrors have a filesystem of their own: the sandbox's mountinfo
    // names a loop device and a path inside it, never the data directory.
    if ((await sessionFsMode()).mode === "loop") {
      const line = fs.readFileSync(path.join(out, "mountinfo"), "utf8");
      expect(line).toMatch(/ \/dev\/loop\d+ /);
      expect(line).not.toContain(env().dataDir);
      expect(mountAt(fs.realpathSync(mirrorsRoot()))?.source).toMatch(/^\/dev\/loop/);
    }

    // The checkpoint comes back as a bundle into host.git, which keeps only what the session added.
    const event = await receiveCheckpoint(s.id, head, path.join(out, "cp.bundle"));
    expect(event).toMatchObject({ type: "commit", data: { sha: head, filesChanged: 1 } });
    expect(await hostBranchHead(s.paths.hostRepo, s.branch)).toBe(head);
    expect(bytes(path.join(s.paths.hostRepo, "objects"))).toBeLessThan(16 * 1024);

    // A fork: another host.git on the same mirror imports the checkpoint (only its own objects).
    const fork = sessionPaths(env().dataDir, newSessionId());
    const forkBranch = "dockside/fork";
    expect(await initHostRepo(fork.hostRepo, origin, "main", forkBranch, {}, { mirror })).toBe(s.base);
    await importCheckpoint(fork.hostRepo, s.paths.hostRepo, head, forkBranch);
    expect(await hostBranchHead(fork.hostRepo, forkBranch)).toBe(head);
    expect(bytes(path.join(fork.hostRepo, "objects"))).toBeLessThan(16 * 1024);
    await cloneWorkspace(fork, forkBranch, s.uid, s.uid, { mirror });
    expect(fs.readFileSync(path.join(fork.workspace, "work.txt"), "utf8")).toBe("work\n");
    expect(wsGit(fork.workspace, path.join(mirror, "objects"), "rev-parse", "HEAD")).toBe(head);
  });

  it("refreshes once for concurrent callers, waits for another process's lock, and takes over a stale one", async () => {
    const origin = bigOrigin(1);
    const id = crypto.randomUUID();
    const trace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mirror-trace-")), "trace");
    const fetches = () => (fs.existsSync(trace) ? fs.readFileSync(trace, "utf8").match(/built-in: git fetch /g)?.length ?? 0 : 0);
    const gitEnv = { GIT_TRACE: trace };
    const got = await Promise.all(Array.from({ length: 5 }, () => ensureMirror(id, origin, gitEnv)));
    expect(new Set(got)).toEqual(new Set([mirrorPath(id)]));
    expect(fetches()).toBe(1);
    await Promise.all([ensureMirror(id, origin, gitEnv), ensureMirror(id, origin, gitEnv)]);
    expect(fetches()).toBe(2);

    // Another process holds the lock: wait for it, then fetch.
    const lock = path.join(path.dirname(mirrorPath(id)), "mirror.lock");
    const other = spawn("sleep", ["60"]);
    try {
      fs.writeFileSync(lock, `${other.pid} ${Date.now()}\n`);
      let done = false;
      const p = ensureMirror(id, origin, gitEnv).then(() => (done = true));
      await new Promise((r) => setTimeout(r, 600));
      expect(done).toBe(false);
      expect(fetches()).toBe(2);
      fs.rmSync(lock);
      await p;
      expect(fetches()).toBe(3);
    } finally {
      other.kill();
    }
    // A lock left by a process that died is taken over.
    const dead = spawnSync("true").pid;
    fs.writeFileSync(lock, `${dead} ${Date.now()}\n`);
    await ensureMirror(id, origin, gitEnv);
    expect(fetches()).toBe(4);
    expect(fs.existsSync(lock)).toBe(false);
  });

  it("brings the origin's new commits at the next refresh, and keeps rewritten history for the sessions that started on it", async () => {
    const origin = bigOrigin(1);
    const id = crypto.randomUUID();
    const mirror = await ensureMirror(id, origin);
    const a = await session(origin, mirror);

    fs.writeFileSync(path.join(origin, "new.txt"), "new\n");
    sh(origin, "add", "-A");
    sh(origin, "commit", "-qm", "new");
    const c2 = sh(origin, "rev-parse", "HEAD");
    await ensureMirror(id, origin);
    expect(sh(mirror, "rev-parse", "refs/heads/main")).toBe(c2);
    const b = await session(origin, mirror);
    expect(b.base).toBe(c2);
    expect(bytes(path.join(b.paths.hostRepo, "objects"))).toBeLessThan(4096);

    // The origin is force-pushed (c2 dropped) and a branch deleted: the mirror follows its refs...
    sh(origin, "reset", "-q", "--hard", a.base);
    fs.writeFileSync(path.join(origin, "other.txt"), "other\n");
    sh(origin, "add", "-A");
    sh(origin, "commit", "-qm", "other");
    sh(origin, "branch", "-D", "feature");
    await ensureMirror(id, origin);
    expect(sh(mirror, "rev-parse", "refs/heads/main")).toBe(sh(origin, "rev-parse", "HEAD"));
    expect(sh(mirror, "for-each-ref", "refs/heads/feature")).toBe("");
    // ...but never drops an object a session borrows, even when someone runs gc in it.
    sh(mirror, "gc", "-q");
    expect(sh(mirror, "cat-file", "-t", c2)).toBe("commit");
    sh(b.paths.hostRepo, "fsck", "--connectivity-only", "--no-dangling");
    expect(wsGit(b.paths.workspace, path.join(mirror, "objects"), "rev-parse", "HEAD")).toBe(c2);
  });

  it("merges through the mirror: the origin's new base reaches host.git without copying its objects", async () => {
    const origin = bigOrigin(1);
    const repositoryId = crypto.randomUUID();
    const mirror = await ensureMirror(repositoryId, origin);
    const s = await session(origin, mirror);
    await db().session.create({ data: { id: s.id, teamId: DEFAULT_TEAM_ID, repo: origin, baseBranch: "main", branch: s.branch, prompt: "p", model: "m", status: "idle", baseCommit: s.base } });
    // The agent's checkpoint (made in a clone of its own, handed over as a bundle).
    const agent = fs.mkdtempSync(path.join(os.tmpdir(), "agent-ws-"));
    sh(agent, "clone", "-q", "--branch", "main", origin, ".");
    sh(agent, "checkout", "-q", "-b", s.branch);
    fs.writeFileSync(path.join(agent, "agent.txt"), "agent\n");
    sh(agent, "add", "-A");
    sh(agent, "commit", "-qm", "agent");
    const bundle = path.join(agent, "..", `${s.id}.bundle`);
    sh(agent, "bundle", "create", "-q", bundle, `refs/heads/${s.branch}`, `^${s.base}`);
    await receiveCheckpoint(s.id, sh(agent, "rev-parse", "HEAD"), bundle);
    // The base moves on with a large commit.
    fs.writeFileSync(path.join(origin, "moved.bin"), crypto.randomBytes(512 * 1024));
    sh(origin, "add", "-A");
    sh(origin, "commit", "-qm", "moved");
    const moved = sh(origin, "rev-parse", "HEAD");

    const r = await mergeBranch({ sessionId: s.id, teamId: DEFAULT_TEAM_ID, repo: origin, baseBranch: "main", branch: s.branch, repositoryId }, "merge", { name: "r", email: "r@r" }, "merge");
    expect(r.previousBaseHead).toBe(moved);
    expect(sh(origin, "rev-parse", "main")).toBe(r.baseHead);
    expect(sh(origin, "show", "main:agent.txt")).toBe("agent");
    expect(sh(mirror, "rev-parse", "refs/heads/main")).toBe(moved); // refreshed before the merge
    // host.git holds the agent's commit and the merge, not the origin's 512 KB.
    expect(bytes(path.join(s.paths.hostRepo, "objects"))).toBeLessThan(64 * 1024);
  });
});
