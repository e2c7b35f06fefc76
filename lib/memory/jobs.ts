// The memory work that runs as jobs on PostgreSQL (lib/jobs/boss.ts). (Contract: filled in by the memory work.)
import type { JobDef } from "../jobs/boss";

export const MEMORY_JOBS: JobDef[] = [];
