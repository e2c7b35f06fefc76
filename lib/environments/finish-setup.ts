// The end of a session's setup phase: from then on the egress proxy applies the agent's policy and
// a restarted worker is told there is nothing left to set up (planSetup answers "none").
import { db } from "../db/client";
import type { SetupDone } from "../protocol/worker";

const FINISHED: SetupDone["state"][] = ["ok", "cached", "skipped"];

/** Records that setup ended well (ok, cached or skipped); resolves to whether the session is now past setup. */
export async function finishSetup(sessionId: string, done: SetupDone): Promise<boolean> {
  if (!done.ok || !FINISHED.includes(done.state)) return false;
  // The first report wins: a resend after a lost answer keeps the original time.
  await db().session.updateMany({ where: { id: sessionId, setupFinishedAt: null }, data: { setupFinishedAt: new Date() } });
  return true;
}
