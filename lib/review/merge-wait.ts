// Waiting for a merge job to end, for callers in this process (tests, the bench): the state is
// in PostgreSQL, so this reads it the way any instance would.
import { db } from "../db/client";
import type { MergeJob } from "../protocol/review";
import { mergeDto } from "./merge-job";

export async function waitForMerge(mergeId: string, onProgress?: (m: MergeJob) => void, timeoutMs = 10 * 60_000): Promise<MergeJob> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const m = mergeDto(await db().mergeJob.findUniqueOrThrow({ where: { id: mergeId } }));
    onProgress?.(m);
    if (m.state === "merged" || m.state === "failed") return m;
    if (Date.now() > until) throw new Error(`merge ${mergeId} still ${m.state} (${m.step}) after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
