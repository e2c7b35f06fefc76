// Memory on real parts: the bundled worker in its sandbox calls `remember`, the host stores a
// proposed entry traced to the session and records a `memory` event; a person accepts it; the next
// session of the repository carries it in its system prompt (seen at the model stand-in); a
// `remember` holding a secret comes back to the model as an error with the reason, storing nothing.
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeRepo } from "../../test/fixtures";
import { script, startHarness, TEAM, waitStatusEvent, type Harness } from "../../test/session-harness";
import { db } from "../db/client";
import type { SessionEvent } from "../events/schema";
import { makeMember } from "../history/test-fixtures";
import { patchEntry } from "./entries";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const FACT = "Run the tests with `npm run check`";
// Built at run time: this file holds no string a scanner would flag.
const TOKEN = `ghp_${"aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz9876".slice(0, 36)}`;

const resultOf = (events: SessionEvent[], name: string) => {
  const call = events.find((e) => e.type === "tool.call" && e.data.name === name);
  const callId = call?.type === "tool.call" ? call.data.callId : undefined;
  const result = events.find((e) => e.type === "tool.result" && e.data.callId === callId);
  return result?.type === "tool.result" ? result.data : undefined;
};

const systemOf = (marker: string) => {
  const first = h.stub.requests.find((r) => JSON.stringify((r.body as { messages?: unknown[] }).messages?.[0] ?? "").includes(marker));
  return first ? JSON.stringify((first.body as { system?: unknown }).system ?? "") : undefined;
};

it("an agent proposes, a person accepts, the next session starts with it, and a secret is refused", async () => {
  const repo = makeRepo({ "README.md": "# memory\n", "package.json": '{"scripts":{"check":"echo ok"}}\n' });
  h.stub.addScript(script("TASK-mem-learn", [{ blocks: [{ type: "tool_use", name: "remember", input: { text: FACT } }] }, { blocks: [{ type: "text", text: "Noted for the team." }] }]));
  const first = await h.orchestrator.createSession(TEAM, { repo, prompt: "TASK-mem-learn: find out how the tests run" });
  const learnt = await waitStatusEvent(first.id, "idle");

  const memory = learnt.find((e) => e.type === "memory");
  expect(memory?.type === "memory" && memory.data).toMatchObject({ text: FACT, scope: "repository" });
  const entryId = memory?.type === "memory" ? memory.data.entryId : "";
  expect(resultOf(learnt, "remember")).toMatchObject({ isError: false });
  const row = await db().memoryEntry.findUniqueOrThrow({ where: { id: entryId } });
  const session = await db().session.findUniqueOrThrow({ where: { id: first.id } });
  const message = learnt.find((e) => e.type === "user.message");
  expect(row).toMatchObject({ text: FACT, state: "proposed", teamId: TEAM, repositoryId: session.repositoryId, sourceSessionId: first.id, sourceTurn: message?.seq });

  const person = await makeMember(TEAM, "member", "Reviewer");
  await patchEntry({ caller: person, teamId: TEAM, role: "member" }, entryId, { state: "accepted" });

  h.stub.addScript(
    script("TASK-mem-use", [{ blocks: [{ type: "tool_use", name: "remember", input: { text: `Push with ${TOKEN} when CI is down` } }] }, { blocks: [{ type: "text", text: "Done." }] }]),
  );
  const second = await h.orchestrator.createSession(TEAM, { repo, prompt: "TASK-mem-use: run the tests" });
  const used = await waitStatusEvent(second.id, "idle");
  const system = systemOf("TASK-mem-use");
  expect(system).toContain("## Team memory");
  expect(system).toContain(`- ${FACT}`);

  const refused = resultOf(used, "remember");
  expect(refused?.isError).toBe(true);
  expect(refused?.output).toContain("memory never stores credentials: this looks like a GitHub token (ghp_…)");
  expect(refused?.output).not.toContain(TOKEN);
  expect(used.some((e) => e.type === "memory")).toBe(false);
  expect(await db().memoryEntry.count({ where: { sourceSessionId: second.id } })).toBe(0);
}, 300_000);
