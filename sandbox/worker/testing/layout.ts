// The container's file layout in a temp dir, for tests that run as root like the worker does:
// an agent-owned workspace (a uid of its own, as in production), and a root-only run dir for the
// socket, the state and the inbox, which the agent's processes must not reach.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export type Layout = { dir: string; workspace: string; run: string; stateDir: string; inbox: string; uid: number; gid: number };

/** A uid no account uses, different per test process so parallel files never share one. */
export const testAgentUid = () => 200_100 + (process.pid % 5000);

export function makeLayout(prefix: string, uid = testAgentUid()): Layout {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o711); // the agent may pass through to its workspace, not list the rest
  const workspace = path.join(dir, "workspace");
  const run = path.join(dir, "run");
  fs.mkdirSync(workspace);
  fs.mkdirSync(path.join(run, "inbox"), { recursive: true, mode: 0o700 });
  fs.chmodSync(run, 0o700);
  return { dir, workspace, run, stateDir: path.join(run, "state"), inbox: path.join(run, "inbox"), uid, gid: uid };
}

/**
 * Gives the workspace (everything in it) to the agent's uid, as the host does before starting the
 * container; 0700, so a worker with the container's capabilities could not even enter it as root.
 */
export function handOver(layout: Layout): void {
  execFileSync("chown", ["-R", `${layout.uid}:${layout.gid}`, layout.workspace]);
  fs.chmodSync(layout.workspace, 0o700);
}

/** git for the test itself, on a repository another uid owns. */
export const gitIn =
  (cwd: string) =>
  (...args: string[]): string =>
    execFileSync("git", ["-c", "safe.directory=*", ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

/** Fetches a checkpoint bundle into a scratch bare repository; resolves the branch it carries there. */
export function unbundle(bundle: Buffer, branch: string, prerequisitesFrom?: string): { repo: string; head: string; git: (...args: string[]) => string } {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), "dockside-unbundle-"));
  const git = gitIn(repo);
  git("init", "-q", "--bare");
  // A bundle that excludes the base needs the base's history on the receiving side, like host.git has.
  if (prerequisitesFrom) git("fetch", "-q", "--no-tags", prerequisitesFrom, "+refs/heads/*:refs/base/*");
  const file = path.join(repo, "in.bundle");
  fs.writeFileSync(file, bundle);
  git("bundle", "verify", "-q", file);
  git("fetch", "-q", "--no-tags", file, `+refs/heads/${branch}:refs/heads/${branch}`);
  return { repo, head: git("rev-parse", `refs/heads/${branch}`), git };
}
