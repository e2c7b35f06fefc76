// Tests: start a merge and wait for its job; a merge that fails is an error here.
import { expect } from "vitest";
import type { Access } from "../auth/authorize";
import type { MergeJob } from "../protocol/review";
import { waitForMerge } from "./merge-wait";
import { mergeSession } from "./session-ops";

export async function mergeAndWait(access: Access, id: string, strategy: MergeJob["strategy"], overrideReason?: string): Promise<MergeJob> {
  const started = await mergeSession(access, id, strategy, overrideReason);
  const done = await waitForMerge(started.id);
  expect(done, done.error ?? "").toMatchObject({ state: "merged", step: "done" });
  return done;
}
