// "Needs attention" on real parts (PostgreSQL, Docker, the worker, the gateway, the scripted model):
// a model error no longer ends as a plain idle, it shows in the history and its filter, and a retry
// (recorded as the person's message) clears it; a budget stop is "budget reached"; a stop says who.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo, waitFor } from "../../test/fixtures";
import { allEvents, script, startHarness, TEAM, waitStatus, waitStatusEvent, type Harness } from "../../test/session-harness";
import { db } from "../db/client";
import type { SessionEvent } from "../events/schema";
import { ListSessionsQuerySchema } from "../history/query";
import { foldAttention } from "./attention";
import { getSession, toDto } from "./dto";
import { listSessions } from "./list-sessions";
import { RETRY_TEXT, retrySession } from "./retry-session";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const shell = (command: string) => ({ type: "tool_use" as const, name: "shell", input: { command } });
const attentionOf = async (id: string) => toDto(await getSession(TEAM, id)).attention;
const person = async (name: string) => {
  const id = `u-${Math.random().toString(36).slice(2, 10)}`;
  return db().user.create({ data: { id, name, email: `${id}@example.com` } });
};
const listed = async (attention: string) => (await listSessions(TEAM, ListSessionsQuerySchema.parse({ attention, limit: 200 }))).sessions;

describe("needs attention", () => {
  it("marks a model error, lists it under the filter, and a retry by a person clears it", async () => {
    const repo = makeRepo({ "README.md": "# attention\n" });
    h.stub.addScript(
      script("TASK-model-error", [
        { error: { status: 400, type: "invalid_request_error", message: "messages.0.content: the stub refuses this once" }, failTimes: 1, blocks: [{ type: "text", text: "Back on track." }] },
      ]),
    );
    const s = await h.orchestrator.createSession(TEAM, { repo, prompt: "TASK-model-error: do it" });
    await waitStatusEvent(s.id, "idle");
    const attention = await waitFor(() => attentionOf(s.id), "the attention on the row");
    expect(attention).toMatchObject({ kind: "model_error", reason: "messages.0.content: the stub refuses this once" });

    const item = (await listed("any")).find((x) => x.id === s.id);
    expect(item?.attention?.kind).toBe("model_error");
    expect((await listed("model_error")).map((x) => x.id)).toContain(s.id);
    expect((await listed("budget")).map((x) => x.id)).not.toContain(s.id);

    const ada = await person("Ada Lovelace");
    await retrySession(h.orchestrator, TEAM, s.id, ada);
    const events = await waitStatusEvent(s.id, "idle", 2);
    expect(events.some((e) => e.type === "assistant.text" && e.data.text.includes("Back on track."))).toBe(true);
    const retried = events.filter((e) => e.type === "user.message").at(-1);
    expect(retried?.data).toMatchObject({ text: RETRY_TEXT, author: "Ada Lovelace" });
    expect(await attentionOf(s.id)).toBeNull();
    expect((await listed("any")).map((x) => x.id)).not.toContain(s.id);
    await expect(retrySession(h.orchestrator, TEAM, s.id, ada)).rejects.toThrow(/nothing to retry/);
  });

  it("says the budget stopped the agent, and refuses a retry until it is raised", async () => {
    const repo = makeRepo({ "README.md": "# budget\n" });
    const pricey = { outputTokens: 20_000 }; // $0.30 a call at the default model's price
    h.stub.addScript(
      script("TASK-attention-budget", [
        { usage: pricey, blocks: [shell("echo one")] },
        { usage: pricey, blocks: [shell("echo two")] },
        { blocks: [{ type: "text", text: "done" }] },
      ]),
    );
    const s = await h.orchestrator.createSession(TEAM, { repo, prompt: "TASK-attention-budget: spend", budgetUsd: 0.5 });
    await waitStatusEvent(s.id, "idle");
    const attention = await waitFor(() => attentionOf(s.id), "the attention on the row");
    expect(attention?.kind).toBe("budget");
    expect(attention?.reason).toMatch(/^budget reached: \$0\.\d\d of \$0\.50 \(session budget\); raise it to continue$/);
    const grace = await person("Grace Hopper");
    await expect(retrySession(h.orchestrator, TEAM, s.id, grace)).rejects.toThrow(/the budget is still reached .*raise it, then retry/);
    await db().session.update({ where: { id: s.id }, data: { budgetUsd: 5 } });
    await retrySession(h.orchestrator, TEAM, s.id, grace);
    await waitStatusEvent(s.id, "idle", 2);
    expect(await attentionOf(s.id)).toBeNull();
  });

  it("names the person who stopped a session in its status", async () => {
    const repo = makeRepo();
    h.stub.addScript(script("TASK-stop-who", [{ blocks: [shell("echo started; sleep 120")] }]));
    const s = await h.orchestrator.createSession(TEAM, { repo, prompt: "TASK-stop-who" });
    await waitFor(async () => (await allEvents(s.id)).some((e) => e.type === "tool.output"), "the command to start");
    const ada = await person("Ada Lovelace");
    await h.orchestrator.stop(TEAM, s.id, ada);
    await waitStatus(s.id, "stopped", 30_000);
    const stopped = (await allEvents(s.id)).filter((e) => e.type === "status" && e.data.status === "stopped");
    expect(stopped.map((e) => (e.type === "status" ? e.data.reason : ""))).toEqual(["stopped by Ada Lovelace"]);
  });
});

describe("the attention fold", () => {
  const at = (type: SessionEvent["type"], data: object, ts = "2026-12-01T10:00:00.000Z") => ({ type, data, ts }) as SessionEvent;

  it("waits with an approval and clears on the decision", () => {
    const asked = at("approval.requested", { approvalId: "a1", callId: "c1", kind: "tool", tool: "shell", input: {}, reason: "matches ask rule shell(rm *)" });
    expect(foldAttention([asked, at("status", { status: "awaiting_approval" })])).toEqual({
      kind: "approval",
      reason: "the agent waits for a decision on shell (matches ask rule shell(rm *))",
      since: "2026-12-01T10:00:00.000Z",
    });
    expect(foldAttention([asked, at("approval.decided", { approvalId: "a1", callId: "c1", decision: "approved" })])).toBeNull();
  });

  it("keeps a failure through a stop, clears it when the agent works again, and ignores refusals", () => {
    const failed = foldAttention([at("status", { status: "failed", reason: "the sandbox ran out of memory" })]);
    expect(failed).toMatchObject({ kind: "failed", reason: "the sandbox ran out of memory" });
    expect(foldAttention([at("status", { status: "stopped" }), at("status", { status: "idle" })], failed)).toBe(failed);
    expect(foldAttention([at("status", { status: "starting" })], failed)).toBeNull();
    expect(foldAttention([at("error", { source: "model", message: "Model call failed: the model refused this request (stop reason: refusal)" })])).toBeUndefined();
  });
});
