// The routines work that runs as jobs on PostgreSQL (lib/jobs/boss.ts): the minute tick that
// fires schedules, and starting a run on whichever instance takes its job.
import type { JobDef } from "../jobs/boss";
import { startRun } from "./start-run";
import { tickRoutines } from "./tick";

export const ROUTINE_JOBS: JobDef[] = [
  { name: "routines.tick", schedule: "* * * * *", handler: async () => void (await tickRoutines(new Date())) },
  { name: "routines.run", handler: ({ runId }: { runId?: unknown }) => (typeof runId === "string" ? startRun(runId) : Promise.resolve()) },
];
