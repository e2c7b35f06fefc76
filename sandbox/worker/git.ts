// git in the workspace, always as the agent's uid: the repository is the agent's, and so is
// whatever its configuration makes git run. Hooks and signing are off so a checkpoint never
// blocks or prompts; output is the agent's words too, so callers check its shape.
import type { AgentUser } from "./agent-user";
import { run } from "./exec";

export type GitTarget = { workspace: string; user: AgentUser };

const BASE = [
  // The workspace may belong to another uid when a host did not hand it over; never refuse it.
  "-c", "safe.directory=*",
  "-c", "core.hooksPath=/dev/null",
  "-c", "commit.gpgsign=false",
  "-c", "tag.gpgsign=false",
];

/** A plain git call may take this long before it (and whatever the repository made it start) is killed. */
export const GIT_TIMEOUT_MS = 5 * 60_000;

export const SHA_RE = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

export type GitResult = { ok: boolean; stdout: string; error: string };

/** Runs git; never throws for a failing command (ok false, error says why). */
export async function git(t: GitTarget, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<GitResult> {
  const res = await run("git", [...BASE, ...args], {
    cwd: t.workspace,
    user: t.user,
    input: opts.input,
    timeoutMs: opts.timeoutMs ?? GIT_TIMEOUT_MS,
  });
  const ok = res.code === 0 && !res.cut;
  const why = res.timedOut ? `timed out after ${(opts.timeoutMs ?? GIT_TIMEOUT_MS) / 1000} s` : (res.stderr || res.stdout).trim().slice(0, 2000);
  return { ok, stdout: res.stdout, error: ok ? "" : `git ${args[0]} failed: ${why || `exit code ${res.code}`}` };
}

/** Like `git`, but throws on failure and returns stdout. */
export async function gitOut(t: GitTarget, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const res = await git(t, args, opts);
  if (!res.ok) throw new Error(res.error);
  return res.stdout;
}

/** The commit a revision names, or null (missing, or an answer that is not a sha). */
export async function resolveCommit(t: GitTarget, rev: string): Promise<string | null> {
  const res = await git(t, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`]);
  const sha = res.stdout.trim();
  return res.ok && SHA_RE.test(sha) ? sha : null;
}
