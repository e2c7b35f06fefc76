import crypto from "node:crypto";
import { afterAll, beforeAll, it } from "vitest";
import { makeRepo } from "../../test/fixtures";
import { allEvents, script, startHarness, TEAM, waitStatusEvent, type Harness } from "../../test/session-harness";
let h: Harness;
beforeAll(async () => { h = await startHarness(); });
afterAll(async () => h?.close());
it("debug", async () => {
  const repo = makeRepo({ "app.txt": "one\n" });
  h.stub.addScript(script("DBG", [{ blocks: [{ type: "tool_use" as const, name: "write_file", input: { path: "app.txt", content: "two\n" } }] }, { blocks: [{ type: "text" as const, text: "done" }] }]));
  const s = await h.orchestrator.createSession(TEAM, { repo, prompt: `DBG do the work` });
  try { await waitStatusEvent(s.id, "idle", 1, 30000); } catch (e) { console.log(JSON.stringify((await allEvents(s.id)).map((e) => [e.type, e.data]), null, 1).slice(0, 6000)); throw e; }
});
