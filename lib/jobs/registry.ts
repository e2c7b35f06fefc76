// Every job Dockside runs on PostgreSQL, in one list: the routines (the minute tick, runs), the
// alerts scan, memory consolidation and garbage collection. startRuntime() works them with pg-boss.
import { ALERT_JOBS } from "../alerts/jobs";
import { GC_JOBS } from "../gc/jobs";
import { MEMORY_JOBS } from "../memory/jobs";
import { ROUTINE_JOBS } from "../routines/jobs";
import { RATE_LIMIT_JOBS } from "../auth/rate-limit";
import { registerLocal, type JobDef } from "./boss";

export const JOBS: JobDef[] = [...ROUTINE_JOBS, ...ALERT_JOBS, ...MEMORY_JOBS, ...RATE_LIMIT_JOBS, ...GC_JOBS];
registerLocal(JOBS);
