// The minute scan (job "alerts.scan"): every detector over the sessions that are working, and
// the automatic resolution of what is over. Runs on whichever instance pg-boss hands the slot;
// the alerts' unique keys make a second scan of the same moment a no-op.
import { db } from "../db/client";
import { WORKING_STATUSES } from "../events/status";
import { ALERT_SESSION, checkBudget, checkLooping, checkResources, checkStuck, type AlertSession, type Measure } from "./checks";
import { containerMemory, sessionDisk } from "./measure";
import { resolveEndedSessions } from "./resolve";

export interface ScanOptions {
  /** Only this team's sessions (tests share one database). */
  teamId?: string;
  measure?: Measure;
}

const REAL: Measure = { memory: containerMemory, disk: sessionDisk };
// Docker stats and du take a moment each: a few sessions at a time keeps the scan inside its minute.
const PARALLEL = 4;

/** One scan at `now`; answers how many alerts it raised. */
export async function scanAlerts(now: Date, opts: ScanOptions = {}): Promise<{ raised: number }> {
  await resolveEndedSessions(opts.teamId);
  const sessions = await db().session.findMany({ where: { status: { in: [...WORKING_STATUSES] }, ...(opts.teamId ? { teamId: opts.teamId } : {}) }, select: ALERT_SESSION });
  let raised = 0;
  const queue = [...sessions];
  const worker = async () => {
    for (let s = queue.shift(); s; s = queue.shift()) {
      try {
        raised += await scanSession(s, now, opts.measure ?? REAL);
      } catch (err) {
        console.error("[alerts] scan", s.id, err);
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return { raised };
}

async function scanSession(s: AlertSession, now: Date, measure: Measure): Promise<number> {
  let raised = Number(await checkStuck(s, now)) + Number(await checkBudget(s));
  // Only a sandbox that runs has tool calls in flight, memory in use and a mounted disk.
  if (s.status === "running" || s.status === "awaiting_approval") {
    raised += Number(await checkLooping(s));
    raised += await checkResources(s, now, measure);
  }
  return raised;
}
