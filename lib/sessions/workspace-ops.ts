// Workspace ops: changes to a session's workspace made on a person's behalf (reset to a
// checkpoint, the current base delivered for a rebase). They live in PostgreSQL until the worker
// reports them done, so a restart of either side loses none; the worker applies them inside the
// sandbox as the agent's uid, so the host never runs git on the agent's repository.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "../config/env";
import { db } from "../db/client";
import { ev, type NewEvent } from "../events/schema";
import { sessionPaths } from "../git/workspace";
import type { WorkerCommand, WorkspaceOpResult } from "../protocol/worker";

type OpCommand = Extract<WorkerCommand, { kind: "op" }>;

export interface NewWorkspaceOp {
  op: "reset" | "fetch";
  sha: string;
  /** For fetch: a bundle file in sessions/<id>/ops (host-only), copied into the inbox on delivery. */
  bundle?: string;
  ref?: string;
}

/** Queues an op; the caller wakes the session's command poll. */
export async function queueOp(sessionId: string, op: NewWorkspaceOp): Promise<string> {
  const id = crypto.randomUUID();
  await db().workspaceOp.create({ data: { id, sessionId, op: op.op, sha: op.sha, bundle: op.bundle ?? null, ref: op.ref ?? null } });
  return id;
}

/** Ops the worker has not reported yet, oldest first, as commands. */
export async function pendingOps(sessionId: string): Promise<OpCommand[]> {
  const rows = await db().workspaceOp.findMany({ where: { sessionId, doneAt: null }, orderBy: { createdAt: "asc" }, take: 20 });
  const paths = sessionPaths(env().dataDir, sessionId);
  const out: OpCommand[] = [];
  for (const r of rows) {
    if (r.bundle) deliverToInbox(path.join(paths.root, "ops", r.bundle), path.join(paths.inbox, r.bundle));
    out.push({ kind: "op", id: r.id, op: r.op as OpCommand["op"], sha: r.sha, ...(r.bundle ? { bundle: r.bundle } : {}), ...(r.ref ? { ref: r.ref } : {}) });
  }
  return out;
}

// The inbox lives in the session's filesystem, which is mounted only while the sandbox runs, so
// the bundle is kept host-only and copied in when the worker asks. The inbox is root-only (the
// agent cannot plant anything there); O_EXCL|O_NOFOLLOW anyway.
function deliverToInbox(from: string, to: string): void {
  if (fs.existsSync(to) || !fs.existsSync(from)) return;
  fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
  const fd = fs.openSync(to, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  try {
    fs.writeSync(fd, fs.readFileSync(from));
  } finally {
    fs.closeSync(fd);
  }
}

/** Records the worker's report; resolves to an event the people watching should see, if any. */
export async function completeOp(sessionId: string, opId: string, result: WorkspaceOpResult): Promise<NewEvent | null> {
  const row = await db().workspaceOp.findFirst({ where: { id: opId, sessionId } });
  if (!row || row.doneAt) return null;
  await db().workspaceOp.update({ where: { id: opId }, data: { doneAt: new Date(), error: result.ok ? null : (result.error ?? "failed") } });
  if (row.bundle) {
    const paths = sessionPaths(env().dataDir, sessionId);
    fs.rmSync(path.join(paths.inbox, row.bundle), { force: true });
    fs.rmSync(path.join(paths.root, "ops", row.bundle), { force: true });
  }
  if (result.ok) return null;
  const what = row.op === "reset" ? `reset the workspace to ${row.sha.slice(0, 12)}` : `deliver ${row.ref ?? "a ref"} (${row.sha.slice(0, 12)}) into the workspace`;
  return ev("error", { message: `Could not ${what}: ${(result.error ?? "failed").slice(0, 2000)}`, source: "host" });
}
