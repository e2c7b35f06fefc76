// Subagents on real parts (PostgreSQL, Docker, the worker in its sandbox, the gateway, the scripted
// model): the stored log nests the subagent's steps under the task call, every one of its model
// calls is counted on the session, and a budget reached in the middle stops it cleanly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRepo } from "../../../test/fixtures";
import { script, startHarness, TEAM, waitStatusEvent, type Harness } from "../../../test/session-harness";
import type { SessionEvent } from "../../../lib/events/schema";
import { getSession, toDto } from "../../../lib/sessions/dto";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const task = (id: string, prompt: string) => ({ type: "tool_use" as const, id, name: "task", input: { description: "Read the notes", prompt } });
const text = (t: string) => ({ type: "text" as const, text: t });
const of = <T extends SessionEvent["type"]>(events: SessionEvent[], type: T) => events.flatMap((e) => (e.type === type ? [e as Extract<SessionEvent, { type: T }>] : []));

describe("a session with a subagent", () => {
  it("stores the subagent's steps under the task call and counts its tokens on the session", async () => {
    const repo = makeRepo({ "NOTES.md": "the deploy key lives in vault\n" });
    h.stub.addScript(script("TASK-sub-main", [{ usage: { outputTokens: 1000 }, blocks: [task("toolu_sub1", "SUBTASK-notes: what does NOTES.md say?")] }, { usage: { outputTokens: 1000 }, blocks: [text("Per the subagent: vault.")] }]));
    h.stub.addScript(
      script("SUBTASK-notes", [
        { usage: { outputTokens: 7000 }, blocks: [{ type: "tool_use", name: "shell", input: { command: "cat NOTES.md" } }] },
        { usage: { outputTokens: 7000 }, blocks: [text("REPORT: the deploy key lives in vault.")] },
      ]),
    );
    const s = await h.orchestrator.createSession(TEAM, { repo, prompt: "TASK-sub-main: delegate" });
    const events = await waitStatusEvent(s.id, "idle");

    const call = of(events, "tool.call").find((e) => e.data.name === "task")!;
    expect(call.data.parent).toBeUndefined();
    const nestedCall = of(events, "tool.call").find((e) => e.data.name === "shell")!;
    expect(nestedCall.data.parent).toBe("toolu_sub1");
    expect(nestedCall.seq).toBeGreaterThan(call.seq);
    expect(of(events, "tool.output").some((e) => e.data.parent === "toolu_sub1" && e.data.text.includes("vault"))).toBe(true);
    expect(of(events, "assistant.text").some((e) => e.data.parent === "toolu_sub1" && e.data.text.includes("REPORT"))).toBe(true);
    const result = of(events, "tool.result").find((e) => e.data.callId === "toolu_sub1")!;
    expect(result.data).toMatchObject({ isError: false, output: "REPORT: the deploy key lives in vault." });
    expect(result.data.tokens).toBeGreaterThanOrEqual(14_000);
    expect(of(events, "assistant.text").some((e) => e.data.parent === undefined && e.data.text.includes("Per the subagent"))).toBe(true);

    // Four model calls went through the gateway: two of the main agent, two of the subagent.
    const usage = of(events, "usage");
    expect(usage).toHaveLength(4);
    expect(usage.reduce((n, u) => n + u.data.outputTokens, 0)).toBe(16_000);
    const row = toDto(await getSession(TEAM, s.id));
    expect(row.usage.outputTokens).toBe(16_000);
  });

  it("stops a subagent cleanly when the budget runs out and tells the main agent", async () => {
    const repo = makeRepo({ "README.md": "# budget\n" });
    // 20,000 output tokens at the default model's $15 per million: $0.30 a call.
    const pricey = { outputTokens: 20_000 };
    h.stub.addScript(script("TASK-sub-budget", [{ usage: pricey, blocks: [task("toolu_sub2", "SUBTASK-spend: spend")] }, { blocks: [text("never reached")] }]));
    h.stub.addScript(
      script("SUBTASK-spend", [
        { usage: pricey, blocks: [{ type: "tool_use", name: "shell", input: { command: "echo spent" } }] },
        { blocks: [text("REPORT: never reached")] },
      ]),
    );
    const s = await h.orchestrator.createSession(TEAM, { repo, prompt: "TASK-sub-budget: go", budgetUsd: 0.5 });
    const events = await waitStatusEvent(s.id, "idle");
    const result = of(events, "tool.result").find((e) => e.data.callId === "toolu_sub2")!;
    expect(result.data).toMatchObject({ isError: true, output: expect.stringMatching(/^The subagent stopped before finishing: budget reached/) });
    const idle = of(events, "status").find((e) => e.data.status === "idle")!;
    expect(idle.data.reason).toMatch(/budget reached: \$0\.\d\d of \$0\.50/);
    expect(of(events, "usage")).toHaveLength(2);
    expect(events.some((e) => e.type === "assistant.text" && e.data.text.includes("never reached"))).toBe(false);
  });
});
