// Garbage collection as jobs on PostgreSQL (lib/jobs/boss.ts): each runs once per slot across
// instances, and each is idempotent on its own rows (compare-and-set claims), so a retry or a
// second instance working the same slot removes nothing twice and nothing it should keep.
import type { JobDef } from "../jobs/boss";
import { archiveWorkspaces } from "./archive";
import { pruneEnvironments, pruneMirrors } from "./caches";
import { collectSandboxes } from "./sandboxes";

const log = (what: string, ids: string[]) => {
  if (ids.length) console.log(`[gc] ${what}: ${ids.length} (${ids.slice(0, 5).join(", ")}${ids.length > 5 ? ", ..." : ""})`);
};

export const GC_JOBS: JobDef[] = [
  {
    name: "gc.sandboxes",
    schedule: "7 * * * *",
    retryLimit: 0, // the next hour tries again
    handler: async () => log("stopped sandboxes removed", await collectSandboxes(new Date())),
  },
  {
    name: "gc.workspaces",
    schedule: "27 * * * *",
    retryLimit: 0,
    handler: async () => log("workspaces archived", await archiveWorkspaces(new Date())),
  },
  {
    name: "gc.caches",
    schedule: "47 * * * *",
    retryLimit: 0,
    handler: async () => {
      log("cached environments evicted", await pruneEnvironments());
      const m = await pruneMirrors(new Date());
      log("mirrors removed", m.removed);
      log("mirrors repacked", m.compacted);
    },
  },
];
