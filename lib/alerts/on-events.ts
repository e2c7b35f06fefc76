// Alerts as events are stored (LiveSession.published, fire and forget): a failed command may
// complete a loop, a model call may cross 80 % of the budget or end a stall, a status change
// ends a stall and an ending ends the session's sandbox alerts. Other batches cost nothing.
import { db } from "../db/client";
import type { SessionEvent } from "../events/schema";
import { isTerminal } from "../events/status";
import { ALERT_SESSION, checkBudget, checkLooping } from "./checks";
import { failedResult } from "./detect";
import { resolveSessionAlerts, SESSION_KINDS } from "./resolve";

/** Never throws: a failing alert check must not disturb the session. */
export async function alertOnSessionEvents(sessionId: string, events: SessionEvent[]): Promise<void> {
  try {
    const failed = events.some((e) => e.type === "tool.result" && failedResult(e.data));
    const usage = events.some((e) => e.type === "usage");
    const statuses = events.flatMap((e) => (e.type === "status" ? [e.data.status] : []));
    if (!failed && !usage && !statuses.length) return;
    if (statuses.some(isTerminal)) {
      await resolveSessionAlerts(sessionId, SESSION_KINDS);
      return;
    }
    if (usage || statuses.length) await resolveSessionAlerts(sessionId, ["stuck"]);
    if (!failed && !usage) return;
    const s = await db().session.findUnique({ where: { id: sessionId }, select: ALERT_SESSION });
    if (!s) return;
    if (failed) await checkLooping(s);
    if (usage) await checkBudget(s);
  } catch (err) {
    console.error("[alerts] session events", sessionId, err);
  }
}
