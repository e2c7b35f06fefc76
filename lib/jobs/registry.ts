// Every job Dockside runs on PostgreSQL, in one list: the routines (the minute tick, runs), the
// alerts scan, memory consolidation, garbage collection and merges. startRuntime() works them with pg-boss.
import { ALERT_JOBS } from "../alerts/jobs";
import { GC_JOBS } from "../gc/jobs";
import { MEMORY_JOBS } from "../memory/jobs";
import { ROUTINE_JOBS } from "../routines/jobs";
import { RATE_LIMIT_JOBS } from "../auth/rate-limit";
import { MERGE_JOBS } from "../review/merge-job";
import { registerLocal, type JobDef } from "./boss";

export const JOBS: JobDef[] = [...ROUTINE_JOBS, ...ALERT_JOBS, ...MEMORY_JOBS, ...RATE_LIMIT_JOBS, ...GC_JOBS, ...MERGE_JOBS];
registerLocal(JOBS);
