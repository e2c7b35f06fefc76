// Review actions on a session, with the checks that belong to them: the agent must not be
// working, protected base branches need admin or owner, and each action is audited.
import { ev } from "../events/schema";
import { db } from "../db/client";
import { AppError } from "../errors";
import type { Access } from "../auth/authorize";
import { assertMayMerge, assertRegistered } from "../repos/session-repository";
import { recordAudit } from "../audit/record";
import { hostGit, hostRepoPath } from "../git/host-repo";
import { queueOp } from "../sessions/workspace-ops";
import { runtime } from "../runtime/boot";
import type { SessionDto } from "../protocol/api";
import { resolveRange } from "./git-read";
import crypto from "node:crypto";
import type { MergeJob } from "../protocol/review";
import { ACTIVE, busyMessage, dispatchMerge, mergeDto } from "./merge-job";
import { bundleBase, cachedPreview, MergeConflict, prepare, pushBranch, type MergeResult } from "./ship";
import { branchBlock, hardBlock, overrideNeeded, shipContext } from "./mergeability";
import { isWorking } from "../events/status";

async function load(access: Access, id: string) {
  const s = await db().session.findFirst({ where: { id, teamId: access.teamId } });
  if (!s || !s.baseCommit) throw new AppError(s ? "conflict" : "not_found", s ? "this session has no branch yet" : "session not found");
  return { ...s, baseCommit: s.baseCommit };
}

function assertQuiet(status: string): void {
  if (isWorking(status)) throw new AppError("conflict", "the agent is working on this branch; wait until it is idle, or stop it");
}

const ctx = shipContext;

/**
 * Starts merging the session branch into its base and answers at once with the merge (a job:
 * lib/review/merge-job.ts). Everything that can refuse is checked first: the rules of
 * lib/review/mergeability.ts (nothing to merge, conflicts, already merged, the agent working: 409;
 * unresolved threads or "changes requested": 409 unless `overrideReason` says why), and a merge
 * already queued or running (409: at most one per session, by a unique index, on any instance).
 */
export async function mergeSession(access: Access, id: string, strategy: MergeResult["strategy"], overrideReason?: string): Promise<MergeJob> {
  const s = await load(access, id);
  await assertMayMerge(access, s);
  const reason = overrideReason?.trim() || null;
  const running = await db().mergeJob.findFirst({ where: { sessionId: id, state: { in: ACTIVE } } });
  if (running) throw new AppError("conflict", busyMessage(running.requestedByName));
  const hard = hardBlock(s);
  if (hard) throw new AppError("conflict", hard);
  const unresolved = await db().reviewThread.count({ where: { sessionId: id, resolvedAt: null } });
  const overridden = overrideNeeded(s.reviewState, unresolved);
  if (overridden && !reason) throw new AppError("conflict", `${overridden}: resolve them first, or give a reason to merge anyway`);
  // The git answers (conflicts, nothing to merge) come from the preview the review page already
  // asked for (cached per base and head): the job computes nothing new unless the base moved.
  const { ship, base, head } = await prepare(ctx(s));
  const p = await cachedPreview(ship, base, head);
  if (p.ahead === 0 || p.unchanged) throw new AppError("conflict", branchBlock(p, s.baseBranch) ?? "nothing to merge");
  if (strategy === "ff" && p.behind > 0) throw new AppError("conflict", `cannot fast-forward ${s.baseBranch}: it has ${p.behind} commit(s) the session branch lacks; merge, squash, or ask the agent to rebase`);
  if (strategy !== "ff" && !p.tree) throw new MergeConflict(p.conflicts);
  const user = await db().user.findUnique({ where: { id: access.caller.user.id } });
  const subject = s.prompt.split("\n")[0].slice(0, 72);
  const message = strategy === "squash" ? `${subject}\n\nSquashed from ${s.branch} (Dockside session ${s.id}).` : `Merge ${s.branch}: ${subject}\n\nDockside session ${s.id}.`;
  const row = await db()
    .mergeJob.create({
      data: {
        id: crypto.randomUUID(),
        sessionId: id,
        teamId: s.teamId,
        strategy,
        message,
        overrideReason: overridden ? reason : null,
        overridden,
        requestedById: access.caller.user.id,
        requestedByName: access.caller.user.name,
        requestedByEmail: user?.email ?? "reviewer@localhost",
      },
    })
    .catch(async (err) => {
      if ((err as { code?: string }).code !== "P2002") throw err;
      const other = await db().mergeJob.findFirst({ where: { sessionId: id, state: { in: ACTIVE } } });
      throw new AppError("conflict", busyMessage(other?.requestedByName ?? "someone"));
    });
  await dispatchMerge(row.id);
  return mergeDto(row);
}

export async function pushSession(access: Access, id: string) {
  const s = await load(access, id);
  assertQuiet(s.status);
  await assertRegistered(s);
  const r = await pushBranch(ctx(s));
  await runtime().orchestrator.record(id, ev("branch", { action: "pushed", sha: r.remoteHead, detail: `to ${r.branch}`, by: access.caller.user.name }));
  await recordAudit({ teamId: s.teamId, actor: access.caller.user, action: "session.pushed", targetType: "session", targetId: id, data: r });
  return r;
}

/** Asks the agent to rebase onto the origin's current base (delivered into its workspace). */
export async function requestRebase(access: Access, id: string): Promise<{ base: string }> {
  const s = await load(access, id);
  assertQuiet(s.status);
  await assertRegistered(s);
  const { base, file } = await bundleBase(ctx(s), s.baseCommit);
  // The worker fetches the bundle into the workspace (as the agent's uid) before it reads this message.
  await queueOp(id, { op: "fetch", sha: base, bundle: file, ref: "refs/dockside/base" });
  runtime().orchestrator.wake(id);
  const text = `The base branch \`${s.baseBranch}\` has moved; its current head is ${base.slice(0, 12)}, available in your workspace as \`refs/dockside/base\`. Rebase your branch onto it (\`git rebase refs/dockside/base\`), resolve any conflicts keeping both sides' intent, check that the work still holds up, and finish the turn.`;
  await runtime().orchestrator.sendMessage(access.teamId, id, text, access.caller.user);
  return { base };
}

/** Moves the session branch back to one of its checkpoints (the agent must be idle or stopped). */
export async function resetSession(access: Access, id: string, sha: string): Promise<{ head: string }> {
  const s = await load(access, id);
  assertQuiet(s.status);
  const repo = hostRepoPath(id);
  const { to } = await resolveRange(repo, s.baseCommit, s.branch, undefined, sha);
  // The review reads host.git at once; the workspace follows inside the sandbox (now, or at its next start).
  await hostGit(repo, ["update-ref", `refs/heads/${s.branch}`, to], { what: "reset" });
  await queueOp(id, { op: "reset", sha: to });
  runtime().orchestrator.wake(id);
  await db().session.update({ where: { id }, data: { headCommit: to, reviewState: "needs_review" } });
  await runtime().orchestrator.record(id, ev("branch", { action: "reset", sha: to, detail: "to an earlier checkpoint", by: access.caller.user.name }));
  await recordAudit({ teamId: s.teamId, actor: access.caller.user, action: "session.reset", targetType: "session", targetId: id, data: { to } });
  await runtime().orchestrator.refresh(id);
  return { head: to };
}

/** Starts a new session whose branch begins at a checkpoint of this one. */
export async function forkSession(access: Access, id: string, sha: string, prompt: string): Promise<SessionDto> {
  const s = await load(access, id);
  const { to } = await resolveRange(hostRepoPath(id), s.baseCommit, s.branch, undefined, sha);
  return runtime().orchestrator.createSession(access.teamId, { repo: s.repo, baseBranch: s.baseBranch, prompt, model: s.model }, access.caller.user, { sessionId: id, sha: to });
}
