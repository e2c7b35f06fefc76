// Deleting one session: its sandbox, its files on the host (filesystem image, host.git, run
// directory) and its rows. Only the audit entry stays: who deleted what, with the prompt's first
// line and the repository, so a team can still tell what ran.
import fs from "node:fs";
import { env } from "../config/env";
import type { Access } from "../auth/authorize";
import { atLeast } from "../auth/roles";
import type { AuditAction } from "../audit/record";
import { db } from "../db/client";
import { AppError, isAppError } from "../errors";
import { isTerminal } from "../events/status";
import { sessionPaths } from "../git/workspace";
import { findSandbox, removeSandbox } from "../sandbox/container";
import { removeSessionFs } from "../sandbox/session-fs";

/** What deleting needs of the orchestrator: the same stop a person's Stop button uses. */
export interface Stopper {
  stop(teamId: string, id: string, actor?: { id: string; name: string }, reason?: string): Promise<void>;
}

export interface DeleteSessionOptions {
  /** How long to wait for a running session to settle after the stop (ms). */
  settleMs?: number;
}

/**
 * Deletes a session (its creator, or an admin or owner of its team). A running one is stopped
 * first. Files go before rows: if removing them fails, the session is still there to delete again.
 */
export async function deleteSession(access: Access, id: string, orchestrator: Stopper, o: DeleteSessionOptions = {}): Promise<void> {
  const s = await db().session.findUnique({ where: { id }, select: { teamId: true, createdById: true, status: true, prompt: true, repo: true, branch: true, containerId: true, engine: true } });
  if (!s || s.teamId !== access.teamId) throw new AppError("not_found", "session not found");
  if (s.createdById !== access.caller.user.id && !atLeast(access.role, "admin")) {
    throw new AppError("forbidden", "only the person who started this session, or an admin or owner of the team, can delete it");
  }
  const paths = sessionPaths(env().dataDir, id);
  if (hostGitRunning(paths.hostRepo)) {
    throw new AppError("conflict", "a merge or push of this session is running; delete it once that is done");
  }
  const actor = { id: access.caller.user.id, name: access.caller.user.name };
  if (!isTerminal(s.status)) {
    // The orchestrator's own stop: it interrupts the worker, cancels approvals and forgets the session.
    await orchestrator.stop(s.teamId, id, actor, `deleted by ${actor.name}`).catch((err) => {
      if (!isAppError(err) || err.code !== "conflict") throw err;
    });
    await settled(id, o.settleMs ?? 20_000);
  }
  // Whatever the stop left (or a container of a session stopped long ago), by id and by label.
  for (const c of new Set([s.containerId, await findSandbox(id, s.engine).catch(() => null)])) if (c) await removeSandbox(c, s.engine);
  await removeSessionFs(paths);
  const firstLine = s.prompt.split("\n").find((l) => l.trim())?.trim().slice(0, 200) ?? "";
  await db().$transaction([
    // Events, approvals, reviews, threads, shares and workspace ops go with the row (cascade);
    // these point at sessions without a foreign key.
    db().notification.deleteMany({ where: { sessionId: id } }),
    db().sessionWatch.deleteMany({ where: { sessionId: id } }),
    db().alert.deleteMany({ where: { sessionId: id } }),
    db().presence.deleteMany({ where: { sessionId: id } }),
    db().sessionLease.deleteMany({ where: { sessionId: id } }),
    db().session.delete({ where: { id } }),
    // In the same transaction: a session never disappears without its audit entry.
    db().auditEntry.create({
      data: { teamId: s.teamId, actorId: actor.id, actorName: actor.name, action: "session.deleted" satisfies AuditAction, targetType: "session", targetId: id, data: { prompt: firstLine, repo: s.repo, branch: s.branch } },
    }),
  ]);
}

/** Waits until the session's status is terminal (the stop's exit was recorded) or `ms` passed. */
async function settled(id: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const row = await db().session.findUnique({ where: { id }, select: { status: true } });
    if (!row || isTerminal(row.status)) return;
    // Past the wait, deletion goes on: the container is removed by force below.
    if (Date.now() > until) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Whether a git process on this machine works in the session's host.git right now (every host
 * command runs `git -C <host.git> ...`: merges, pushes, rebases, diffs). A cheap look at /proc,
 * not a lock: a merge between two of its git commands, or one on another instance, is not seen;
 * it then fails on the missing host.git with a conflict.
 */
export function hostGitRunning(hostRepo: string): boolean {
  let pids: string[];
  try {
    pids = fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return false;
  }
  for (const pid of pids) {
    let args: string[];
    try {
      args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // exited meanwhile, or not ours to read
    }
    if (args.some((a, i) => a === hostRepo && args[i - 1] === "-C")) return true;
  }
  return false;
}
