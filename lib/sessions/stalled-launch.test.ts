// A session whose create stored only its row (the database failed before its first events): the
// takeover scan finds it with no lease and no launch, records its task from the row and runs it.
import { afterAll, beforeAll, expect, it } from "vitest";
import { insertSession } from "./create-session";
import { makeRepo, waitFor } from "../../test/fixtures";
import { allEvents, script, startHarness, TEAM, type Harness } from "../../test/session-harness";
import { db } from "../db/client";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

it("runs a queued session nothing was launching, with its task from the row", async () => {
  h.stub.addScript(script("TASK-stalled", [{ blocks: [{ type: "text", text: "picked up after all" }] }]));
  const { id } = await insertSession(TEAM, { repo: makeRepo(), prompt: "TASK-stalled" });
  expect((await db().session.findUniqueOrThrow({ where: { id } })).lastSeq).toBe(0);
  await h.orchestrator.watchEngine({ only: () => [id] });
  await waitFor(async () => (await db().session.findUnique({ where: { id } }))?.status === "idle", "the session to run", 120_000);
  const events = await allEvents(id);
  expect(events.filter((e) => e.type === "user.message").map((e) => (e.data as { text: string }).text)).toEqual(["TASK-stalled"]);
  expect(events.some((e) => e.type === "assistant.text" && e.data.text.includes("picked up after all"))).toBe(true);
}, 180_000);
