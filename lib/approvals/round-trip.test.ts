// Approvals on real parts: the bundled worker in its sandbox asks before a shell command in mode
// ask, the session waits (through a server restart), a person approves, the command runs.
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeRepo, waitFor } from "../../test/fixtures";
import { allEvents, outputOf, script, startHarness, TEAM, waitStatus, waitStatusEvent, type Harness } from "../../test/session-harness";
import { db } from "../db/client";
import { makeMember } from "../history/test-fixtures";
import { decideApproval } from "./decide";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

it("a shell call in mode ask waits for a person, survives a server restart, and runs once approved", async () => {
  const repo = makeRepo({ "README.md": "# approvals\n" });
  h.stub.addScript(
    script("TASK-approve", [
      { blocks: [{ type: "tool_use", name: "shell", input: { command: "echo approved-$((40 + 2))" } }] },
      { blocks: [{ type: "text", text: "Ran it." }] },
    ]),
  );
  const s = await h.orchestrator.createSession(TEAM, { repo, prompt: "TASK-approve: run it", mode: "ask" });
  expect(s.mode).toBe("ask");
  await waitStatus(s.id, "awaiting_approval");
  const pending = await db().approval.findFirstOrThrow({ where: { sessionId: s.id, status: "pending" } });
  expect(pending).toMatchObject({ kind: "tool", tool: "shell", input: { command: "echo approved-$((40 + 2))" } });

  // The server goes away and comes back: the sandbox kept running, its approval is still pending.
  await h.restart();
  expect((await db().approval.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe("pending");
  expect((await db().session.findUniqueOrThrow({ where: { id: s.id } })).status).toBe("awaiting_approval");

  const member = await makeMember(TEAM, "member", "Approver");
  await decideApproval({ caller: member, teamId: TEAM, role: "member" }, pending.id, { decision: "approve" }, h.orchestrator);
  const events = await waitStatusEvent(s.id, "idle");
  expect(outputOf(events)).toContain("approved-42");
  const types = events.map((e) => e.type);
  expect(types.indexOf("approval.requested")).toBeLessThan(types.indexOf("approval.decided"));
  expect(types.indexOf("approval.decided")).toBeLessThan(types.indexOf("tool.output"));
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  await waitFor(async () => (await allEvents(s.id)).some((e) => e.type === "assistant.text" && e.data.text.includes("Ran it.")), "the final text");
}, 240_000);

it("a denial reaches the agent with its message; stopping a waiting session cancels its approval and stops", async () => {
  const repo = makeRepo({ "README.md": "# approvals\n" });
  h.stub.addScript(
    script("TASK-deny", [
      { blocks: [{ type: "tool_use", name: "shell", input: { command: "echo never-$((1 + 1))" } }] },
      { blocks: [{ type: "tool_use", name: "shell", input: { command: "echo also-never-$((2 + 1))" } }] },
      { blocks: [{ type: "text", text: "Stopping here." }] },
    ]),
  );
  const s = await h.orchestrator.createSession(TEAM, { repo, prompt: "TASK-deny: try", mode: "ask" });
  await waitStatus(s.id, "awaiting_approval");
  const first = await db().approval.findFirstOrThrow({ where: { sessionId: s.id, status: "pending" } });
  const member = await makeMember(TEAM, "member", "Denier");
  await decideApproval({ caller: member, teamId: TEAM, role: "member" }, first.id, { decision: "deny", message: "no commands today" }, h.orchestrator);
  const second = await waitFor(() => db().approval.findFirst({ where: { sessionId: s.id, status: "pending", NOT: { id: first.id } } }), "the second approval");
  const events = await allEvents(s.id);
  const result = events.find((e) => e.type === "tool.result" && e.data.callId === first.callId);
  expect(result?.type === "tool.result" && result.data.isError).toBe(true);
  expect(result?.type === "tool.result" && result.data.output).toContain("no commands today");
  expect(outputOf(events)).not.toContain("never-2");

  await h.orchestrator.stop(TEAM, s.id, { id: member.user.id, name: member.user.name });
  await waitStatus(s.id, "stopped");
  expect((await db().approval.findUniqueOrThrow({ where: { id: second.id } })).status).toBe("cancelled");
  const after = await allEvents(s.id);
  expect(after.find((e) => e.type === "approval.decided" && e.data.approvalId === second.id)?.data).toMatchObject({ decision: "cancelled" });
  expect(outputOf(after)).not.toContain("also-never-3");
}, 240_000);
