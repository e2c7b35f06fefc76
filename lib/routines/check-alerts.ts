// A check routine needs a person when its agent says `attention`, and also when it gives no
// verdict at all: the session ended (idle, stopped, failed) without a report, or never started.
import { raiseAlert } from "../alerts/raise";
import { db } from "../db/client";

interface CheckRoutine {
  id: string;
  teamId: string;
  name: string;
}

/** Raises the check's alert once per `key` (default: the run's "no verdict" alert). */
export async function alertCheck(routine: CheckRoutine, at: { runId: string; sessionId: string | null }, message: string, key = `check-silent:${at.runId}`): Promise<void> {
  await raiseAlert({ teamId: routine.teamId, sessionId: at.sessionId, routineId: routine.id, kind: "check", notify: "routine.attention", key, title: `Check needs attention: ${routine.name}`, message });
}

const ENDED = ["idle", "stopped", "failed"];
const SCAN = 200;

/** Started check runs whose session ended without a verdict: each is marked (its error) and alerted once. */
export async function flagSilentChecks(): Promise<number> {
  const runs = await db().routineRun.findMany({
    where: { state: "started", verdict: null, error: null, sessionId: { not: null }, routine: { kind: "check" } },
    include: { routine: { select: { id: true, teamId: true, name: true } } },
    orderBy: { createdAt: "asc" },
    take: SCAN,
  });
  if (!runs.length) return 0;
  const sessions = await db().session.findMany({ where: { id: { in: runs.map((r) => r.sessionId!) }, status: { in: ENDED } }, select: { id: true, status: true, failureReason: true } });
  const ended = new Map(sessions.map((s) => [s.id, s]));
  let flagged = 0;
  for (const run of runs) {
    const s = ended.get(run.sessionId!);
    if (!s) continue;
    const message = s.status === "failed" ? `the check ended without a verdict (the session failed: ${s.failureReason ?? "no reason recorded"})` : "the check ended without a verdict";
    // Compare-and-set: one instance (and one tick) flags it; a report that landed meanwhile wins.
    const { count } = await db().routineRun.updateMany({ where: { id: run.id, verdict: null, error: null }, data: { error: message } });
    if (!count) continue;
    await alertCheck(run.routine, { runId: run.id, sessionId: s.id }, message);
    flagged++;
  }
  return flagged;
}
