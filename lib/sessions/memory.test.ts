// A command that blows the sandbox's memory limit is killed, and the agent and the people
// watching are told why (not just "SIGKILL"); the session carries on.
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeRepo } from "../../test/fixtures";
import { script, startHarness, TEAM, waitStatusEvent, type Harness } from "../../test/session-harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

it("says a command was killed for exceeding the sandbox's memory limit", async () => {
  const hog = "python3 -c 'x = bytearray(2 << 30); print(len(x))'";
  h.stub.addScript(script("TASK-oom", [{ blocks: [{ type: "tool_use", name: "shell", input: { command: hog } }] }, { blocks: [{ type: "text", text: "ok" }] }]));
  const s = await h.orchestrator.createSession(TEAM, { repo: makeRepo(), prompt: "TASK-oom" });
  const events = await waitStatusEvent(s.id, "idle");
  const result = events.find((e) => e.type === "tool.result");
  // global-setup limits test sandboxes to 512 MB.
  expect(result?.type === "tool.result" && result.data.output).toMatch(/killed for exceeding the sandbox's memory limit \(512 MB\)/);
  expect(result?.type === "tool.result" && result.data.isError).toBe(true);
});
