// Every job Dockside runs on PostgreSQL, in one list: the routines (the minute tick, runs), the
// alerts scan and memory consolidation. startRuntime() works them with pg-boss.
import { ALERT_JOBS } from "../alerts/jobs";
import { MEMORY_JOBS } from "../memory/jobs";
import { ROUTINE_JOBS } from "../routines/jobs";
import { registerLocal, type JobDef } from "./boss";

export const JOBS: JobDef[] = [...ROUTINE_JOBS, ...ALERT_JOBS, ...MEMORY_JOBS];
registerLocal(JOBS);
