// A merge as a background job: the request stores a merge_jobs row and answers at once; a pg-boss
// job (any instance) does the git work, writing its step into the row as it goes, so every
// watcher on every instance reads the same progress. A heartbeat marks a live run: a row whose
// heartbeat went stale (its process died) is taken over by the sweep and resumed — or, when the
// base moved meanwhile, failed with what to do — so no merge stays "merging" forever.
import { db } from "../db/client";
import type { MergeJob as Row } from "../db/generated/client";
import { AppError, isAppError } from "../errors";
import { ev } from "../events/schema";
import { jobsStarted, sendJob, type JobDef } from "../jobs/boss";
import type { MergeJob } from "../protocol/review";
import { recordAudit } from "../audit/record";
import { publisher } from "../realtime/bus";
import { runtime } from "../runtime/boot";
import { hardBlock, shipContext } from "./mergeability";
import { MergeConflict, mergeBranch, type MergeResult, type MergeStep } from "./ship";

export const ACTIVE = ["queued", "running"];
const HEARTBEAT_MS = 5_000;
/** A running merge whose heartbeat is older than this lost its process. */
export const STALE_MS = 30_000;
const MAX_ATTEMPTS = 3;

export function mergeDto(r: Row): MergeJob {
  return {
    id: r.id,
    state: r.state as MergeJob["state"],
    step: r.step as MergeJob["step"],
    done: r.done,
    total: r.total,
    strategy: r.strategy as MergeJob["strategy"],
    by: r.requestedByName,
    sha: r.state === "merged" ? r.resultCommit : null,
    error: r.error,
    conflicts: Array.isArray(r.conflicts) ? (r.conflicts as string[]) : [],
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

/** The session's latest merge (the running one while there is one), for its team only. */
export async function latestMerge(teamId: string, sessionId: string): Promise<MergeJob | null> {
  const row = await db().mergeJob.findFirst({ where: { sessionId, teamId }, orderBy: { createdAt: "desc" } });
  return row ? mergeDto(row) : null;
}

export const busyMessage = (by: string) => `${by} is already merging this session; wait for that merge to finish (its progress shows on the review page)`;

/**
 * Starts a stored merge in this process at once (not awaited), and hands it to pg-boss too when
 * it runs: the claim lets only one of them work it, and the pg-boss job (or the sweep) finishes it
 * if this process dies. Waiting for pg-boss alone cost its polling interval (~1 s) every merge.
 */
/** Tells the session's open review pages (its socket room) what the merge is at now. */
function tell(row: Row): void {
  publisher().merge?.(row.sessionId, mergeDto(row));
}

export async function dispatchMerge(mergeId: string): Promise<void> {
  if (jobsStarted()) await sendJob(MERGE_JOB, { mergeId }, { singletonKey: mergeId });
  void runMerge(mergeId).catch((err) => console.error(`[merge] ${mergeId}`, err));
}

/** Takes the merge if it is queued or its runner died; false when someone else runs or ran it. */
async function claim(mergeId: string): Promise<boolean> {
  const stale = new Date(Date.now() - STALE_MS);
  const { count } = await db().mergeJob.updateMany({
    where: { id: mergeId, OR: [{ state: "queued" }, { state: "running", heartbeatAt: { lt: stale } }] },
    data: { state: "running", heartbeatAt: new Date(), attempts: { increment: 1 } },
  });
  return count === 1;
}

export async function runMerge(mergeId: string): Promise<void> {
  if (!(await claim(mergeId))) return;
  const job = await db().mergeJob.findUniqueOrThrow({ where: { id: mergeId } });
  tell(job);
  const beat = setInterval(() => void db().mergeJob.update({ where: { id: mergeId }, data: { heartbeatAt: new Date() } }).catch(() => {}), HEARTBEAT_MS);
  try {
    if (job.attempts > MAX_ATTEMPTS) throw new AppError("conflict", `the merge was interrupted ${MAX_ATTEMPTS} times; nothing more will be tried. Check the base branch, then merge again.`);
    const s = await db().session.findUniqueOrThrow({ where: { id: job.sessionId } });
    // Merged already by this very job (its process died after the push, before the row said so).
    const ours = s.reviewState === "merged" && job.resultCommit && s.mergedCommit === job.resultCommit;
    const blocked = ours ? null : hardBlock(s);
    if (blocked) throw new AppError("conflict", blocked);
    const result: MergeResult = ours
      ? { strategy: job.strategy as MergeResult["strategy"], baseHead: job.resultCommit!, previousBaseHead: job.baseHead ?? "" }
      : await mergeBranch(shipContext(s), job.strategy as MergeResult["strategy"], { name: job.requestedByName, email: job.requestedByEmail }, job.message, {
          onStep: (step: MergeStep, done?: number, total?: number) => progress(mergeId, step, done, total),
          onResult: async (baseHead, resultCommit) => void (await db().mergeJob.update({ where: { id: mergeId }, data: { baseHead, resultCommit } })),
          resume: job.resultCommit && job.baseHead ? { baseHead: job.baseHead, result: job.resultCommit } : undefined,
        });
    await finish(job, s.baseBranch, result);
  } catch (err) {
    await fail(mergeId, err);
  } finally {
    clearInterval(beat);
  }
}

function progress(id: string, step: MergeStep, done?: number, total?: number): Promise<void> {
  return db().mergeJob.update({ where: { id }, data: { step, done: done ?? null, total: total ?? null, heartbeatAt: new Date() } }).then(tell);
}

// The job row says "merged" last, after the transcript event and the audit: whoever reads it merged
// finds all of them. A run that died in between finds the session merged with its commit and
// finishes again, writing the event and audit only if they are not there yet.
async function finish(job: Row, baseBranch: string, result: MergeResult): Promise<void> {
  const id = job.sessionId;
  await db().session.update({ where: { id }, data: { reviewState: "merged", mergedCommit: result.baseHead, mergedAt: new Date(), mergedById: job.requestedById } });
  const recorded = await db().auditEntry.findFirst({ where: { targetId: id, action: "session.merged", createdAt: { gte: job.createdAt } }, select: { id: true } });
  if (!recorded) {
    await runtime().orchestrator.record(id, ev("branch", { action: "merged", sha: result.baseHead, detail: `into ${baseBranch} (${result.strategy})`, by: job.requestedByName }));
    const audit = { teamId: job.teamId, actor: { id: job.requestedById, name: job.requestedByName }, targetType: "session", targetId: id } as const;
    const override = job.overridden ? { overridden: job.overridden, reason: job.overrideReason } : {};
    if (job.overridden) await recordAudit({ ...audit, action: "session.merge_overridden", data: { ...override, baseBranch } });
    await recordAudit({ ...audit, action: "session.merged", data: { ...result, baseBranch, ...override } });
  }
  tell(await db().mergeJob.update({ where: { id: job.id }, data: { state: "merged", step: "done", resultCommit: result.baseHead, finishedAt: new Date(), done: null, total: null } }));
  await runtime().orchestrator.refresh(id);
}

async function fail(mergeId: string, err: unknown): Promise<void> {
  if (!isAppError(err)) console.error(`[merge] ${mergeId}`, err);
  const error = isAppError(err) ? err.message : "the merge failed on the server (the server log has the details); nothing was merged. Try again.";
  const conflicts = err instanceof MergeConflict ? err.conflicts : [];
  tell(await db().mergeJob.update({ where: { id: mergeId }, data: { state: "failed", error, conflicts, finishedAt: new Date() } }));
}

/** Resumes merges whose runner died (stale heartbeat) and sends queued ones nobody took. */
export async function sweepMerges(): Promise<number> {
  const stale = new Date(Date.now() - STALE_MS);
  const rows = await db().mergeJob.findMany({ where: { state: { in: ACTIVE }, heartbeatAt: { lt: stale } }, select: { id: true }, take: 50 });
  for (const r of rows) await runMerge(r.id);
  return rows.length;
}

export const MERGE_JOB = "review.merge";
export const MERGE_JOBS: JobDef[] = [
  { name: MERGE_JOB, retryLimit: 0, handler: (d) => runMerge((d as { mergeId: string }).mergeId) },
  // Every minute (and at the first tick after a restart): merges whose process died.
  { name: "review.merge-sweep", schedule: "* * * * *", retryLimit: 0, handler: async () => void (await sweepMerges()) },
];
