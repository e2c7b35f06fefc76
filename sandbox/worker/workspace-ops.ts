// Workspace ops: what a person asks of the branch (reset to a checkpoint, the base delivered for
// a rebase), applied here as the agent's uid so the host never runs git on the agent's
// repository. Applying one twice is harmless: it may be delivered again until reported.
import { killAgentProcesses } from "./agent-user";
import { constants } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { WorkerCommand, WorkspaceOpResult } from "../../lib/protocol/worker";
import type { AgentUser } from "./agent-user";
import { git, resolveCommit, type GitTarget } from "./git";

export type OpCommand = Extract<WorkerCommand, { kind: "op" }>;
export type OpDeps = { workspace: string; user: AgentUser; branch: string; inboxDir: string };

/** Refs the host may fetch into: plain names under refs/, nothing git would read specially. */
const REF_RE = /^refs\/(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const NAME_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/;
const FETCH_TIMEOUT_MS = 10 * 60_000;

/** Applies one op; never throws for the op's own failures (they are the result). */
export async function applyOp(op: OpCommand, deps: OpDeps): Promise<WorkspaceOpResult> {
  try {
    return op.op === "reset" ? await reset(op, deps) : await fetchBundle(op, deps);
  } catch (err) {
    return { ok: false, error: `${op.op} failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 4000) };
  }
}

async function reset(op: OpCommand, deps: OpDeps): Promise<WorkspaceOpResult> {
  // A process the agent left running (a setsid'd loop) could write the files back after the reset.
  killAgentProcesses(deps.user);
  const t: GitTarget = { workspace: deps.workspace, user: deps.user };
  if ((await resolveCommit(t, op.sha)) !== op.sha) return { ok: false, error: `commit ${op.sha} is not in the workspace` };
  // On the session branch, whatever the agent checked out meanwhile.
  const onBranch = await git(t, ["symbolic-ref", "HEAD", `refs/heads/${deps.branch}`]);
  if (!onBranch.ok) return { ok: false, error: onBranch.error };
  const res = await git(t, ["reset", "-q", "--hard", op.sha]);
  if (!res.ok) return { ok: false, error: res.error };
  const head = await resolveCommit(t, `refs/heads/${deps.branch}`);
  return head === op.sha ? { ok: true } : { ok: false, error: `the branch is at ${head ?? "nothing"} after the reset, not ${op.sha}` };
}

async function fetchBundle(op: OpCommand, deps: OpDeps): Promise<WorkspaceOpResult> {
  const ref = op.ref ?? "";
  if (!REF_RE.test(ref) || ref.includes("..") || ref.endsWith(".lock")) return { ok: false, error: `invalid ref ${JSON.stringify(ref)}` };
  const name = inboxName(op.bundle ?? "", deps.inboxDir);
  if (!name) return { ok: false, error: `invalid bundle name ${JSON.stringify(op.bundle)}` };
  const t: GitTarget = { workspace: deps.workspace, user: deps.user };
  // A fresh root-owned directory the agent can read but not change; the inbox itself is the worker's alone.
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "dockside-op-"));
  try {
    await fs.chmod(dir, 0o755);
    const copy = path.join(dir, "incoming.bundle");
    await copyFromInbox(path.join(deps.inboxDir, name), copy);
    const res = await git(t, ["fetch", "-q", "--no-tags", "--no-write-fetch-head", copy, `+${ref}:${ref}`], { timeoutMs: FETCH_TIMEOUT_MS });
    if (!res.ok) return { ok: false, error: res.error };
    const got = await git(t, ["rev-parse", "--verify", "--quiet", "--end-of-options", ref]);
    const sha = got.stdout.trim();
    return got.ok && sha === op.sha ? { ok: true } : { ok: false, error: `${ref} is at ${sha || "nothing"} after the fetch, not ${op.sha}` };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The file name inside the inbox (a bare name, or the full in-sandbox path), or null. */
function inboxName(bundle: string, inboxDir: string): string | null {
  const prefix = inboxDir.endsWith("/") ? inboxDir : `${inboxDir}/`;
  const name = bundle.startsWith(prefix) ? bundle.slice(prefix.length) : bundle;
  return NAME_RE.test(name) && name !== "." && name !== ".." ? name : null;
}

/** Copies a regular file, refusing a symlink in its place (O_NOFOLLOW) and anything but a regular file. */
async function copyFromInbox(from: string, to: string): Promise<void> {
  const src = await fs.open(from, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!(await src.stat()).isFile()) throw new Error("the bundle is not a regular file");
    const dst = await fs.open(to, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      await dst.chmod(0o644);
      const buf = Buffer.alloc(1024 * 1024);
      for (;;) {
        const { bytesRead } = await src.read(buf, 0, buf.length, null);
        if (!bytesRead) break;
        await dst.write(buf, 0, bytesRead);
      }
    } finally {
      await dst.close();
    }
  } finally {
    await src.close();
  }
}
