// The alerts work that runs as jobs on PostgreSQL (lib/jobs/boss.ts). (Contract: filled in by the alerts work.)
import type { JobDef } from "../jobs/boss";

export const ALERT_JOBS: JobDef[] = [];
