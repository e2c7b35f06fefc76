// The alerts work that runs as jobs on PostgreSQL (lib/jobs/boss.ts): the minute scan.
import type { JobDef } from "../jobs/boss";
import { scanAlerts } from "./scan";

export const ALERT_JOBS: JobDef[] = [
  {
    name: "alerts.scan",
    schedule: "* * * * *",
    // The next minute scans again: a failed scan is not worth retrying.
    retryLimit: 0,
    handler: async () => {
      await scanAlerts(new Date());
    },
  },
];
