// The memory work that runs as jobs on PostgreSQL (lib/jobs/boss.ts): every ten minutes, the
// repositories due for consolidation each get a "memory.consolidate" job (one per repository at
// a time: the singleton key), which writes proposals for a person to review.
import { z } from "zod";
import { sendJob, type JobDef } from "../jobs/boss";
import { consolidateRepository, dueRepositories } from "./consolidate-repository";

const ConsolidateJob = z.object({ repositoryId: z.string().min(1).max(100) });

export const MEMORY_JOBS: JobDef[] = [
  {
    name: "memory.consolidate-due",
    schedule: "*/10 * * * *",
    async handler() {
      for (const repositoryId of await dueRepositories()) await sendJob("memory.consolidate", { repositoryId }, { singletonKey: repositoryId });
    },
  },
  {
    name: "memory.consolidate",
    async handler(data) {
      await consolidateRepository(ConsolidateJob.parse(data).repositoryId);
    },
  },
];
