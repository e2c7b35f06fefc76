// The routines work that runs as jobs on PostgreSQL (lib/jobs/boss.ts). (Contract: filled in by the routines work.)
import type { JobDef } from "../jobs/boss";

export const ROUTINE_JOBS: JobDef[] = [];
