// A stop asked on another instance reaches the one that runs the session as a notice; if the
// notice is lost (the socket.io adapter was down), the stop is still on the row and the holder's
// periodic reconcile finishes it.
import { afterAll, beforeAll, expect, it } from "vitest";
import { db } from "../db/client";
import { makeRepo, waitFor } from "../../test/fixtures";
import { script, startHarness, TEAM, type Harness } from "../../test/session-harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

it("finishes a stop that is only on the row, at the next reconcile", async () => {
  h.stub.addScript(script("TASK-lost-stop", [{ blocks: [{ type: "tool_use", name: "shell", input: { command: "sleep 600" } }] }]));
  const s = await h.orchestrator.createSession(TEAM, { repo: makeRepo(), prompt: "TASK-lost-stop" });
  await waitFor(async () => (await db().event.findFirst({ where: { sessionId: s.id, type: "tool.call" } })) ?? null, "the command to start", 120_000);
  // What stop() on a non-owner writes before announcing it; the announcement never arrives.
  await db().session.update({ where: { id: s.id }, data: { stopRequestedAt: new Date(), stopReason: "stopped by Ada Lovelace" } });
  await h.orchestrator.reconcile();
  const row = await waitFor(async () => {
    const r = await db().session.findUnique({ where: { id: s.id } });
    return r?.status === "stopped" ? r : null;
  }, "the session to stop", 60_000);
  const last = await db().event.findFirst({ where: { sessionId: s.id, type: "status" }, orderBy: { seq: "desc" } });
  expect(row.status).toBe("stopped");
  expect((last?.data as { reason?: string }).reason).toBe("stopped by Ada Lovelace");
}, 180_000);
