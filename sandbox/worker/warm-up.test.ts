// The pooled worker's warm-up runs the SDK's whole streaming path on a canned answer; if an SDK
// update broke that, pooled sessions would quietly start slower again.
import { expect, it } from "vitest";
import { warmUp } from "./warm-up";

it("streams the canned answer through the SDK, and warms the channel and child_process", async () => {
  expect(await warmUp()).toBe(true);
});
