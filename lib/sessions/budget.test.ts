// A session's budget on real parts (PostgreSQL, Docker, the worker in its sandbox, the gateway,
// the scripted model): every call is priced on the log and the row; when the budget is reached
// the turn ends idle with the reason, and a raise lets a follow-up carry on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allEvents, script, startHarness, TEAM, waitStatusEvent, type Harness } from "../../test/session-harness";
import { makeRepo } from "../../test/fixtures";
import { db } from "../db/client";
import type { SessionEvent } from "../events/schema";
import { insertSession } from "./create-session";
import { getSession, toDto } from "./dto";
import { updateSession } from "./update-session";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

// 20,000 output tokens at the default model's $15 per million: $0.30 a step, whatever the cache does.
const PRICEY = { outputTokens: 20_000 };
const shell = (command: string) => ({ type: "tool_use" as const, name: "shell", input: { command } });
const idleReasons = (events: SessionEvent[]) => events.flatMap((e) => (e.type === "status" && e.data.status === "idle" ? [e.data.reason ?? ""] : []));

describe("a session's budget", () => {
  it("prices every call, stops forwarding once the budget is reached, and goes on after a raise", async () => {
    const repo = makeRepo({ "README.md": "# budget\n" });
    h.stub.addScript(
      script("TASK-budget", [
        { usage: PRICEY, blocks: [{ type: "text", text: "Step one." }, shell("echo one")] },
        { usage: PRICEY, blocks: [{ type: "text", text: "Step two." }, shell("echo two")] },
        { blocks: [{ type: "text", text: "Finished after the raise." }] },
      ]),
    );
    const s = await h.orchestrator.createSession(TEAM, { repo, prompt: "TASK-budget: spend", budgetUsd: 0.5 });
    expect(s.budgetUsd).toBe(0.5);

    const first = await waitStatusEvent(s.id, "idle");
    const usage = first.flatMap((e) => (e.type === "usage" ? [e.data] : []));
    expect(usage).toHaveLength(2); // the call that went over finished; the third was never forwarded
    expect(usage.every((u) => (u.costUsd ?? 0) > 0.29)).toBe(true);
    const [reason] = idleReasons(first);
    expect(reason).toMatch(/budget reached: \$0\.\d\d of \$0\.50 \(session budget\); raise it to continue/);
    const notes = first.filter((e) => e.type === "error" && e.data.source === "host");
    expect(notes).toHaveLength(1);

    const row = toDto(await getSession(TEAM, s.id));
    expect(row.usage.costUsd).toBeCloseTo(usage[0].costUsd! + usage[1].costUsd!, 9);
    expect(row.usage.outputTokens).toBe(usage[0].outputTokens + usage[1].outputTokens);
    expect(row.inputTokens).toBe(row.usage.inputTokens + row.usage.cacheReadTokens + row.usage.cacheWriteTokens);

    const user = await db().user.create({ data: { id: `u-${s.id}`, name: "Budget Raiser", email: `raiser-${s.id}@example.com` } });
    const raised = await updateSession({ caller: { user, via: "cookie" }, teamId: TEAM, role: "member" }, s.id, { budgetUsd: 2 });
    expect(raised.budgetUsd).toBe(2);
    const audit = await db().auditEntry.findFirstOrThrow({ where: { targetId: s.id, action: "session.budget_changed" } });
    expect(audit.data).toMatchObject({ from: 0.5, to: 2 });

    await h.orchestrator.sendMessage(TEAM, s.id, "budget raised: carry on");
    const second = await waitStatusEvent(s.id, "idle", 2);
    expect(second.some((e) => e.type === "assistant.text" && e.data.text.includes("Finished after the raise."))).toBe(true);
    expect(idleReasons(second)[1]).toBe("");
    expect((await allEvents(s.id)).filter((e) => e.type === "error" && e.data.source === "host")).toHaveLength(1);
  });

  it("gives new sessions the team's default budget, and checks thinking budgets against the model", async () => {
    const repo = makeRepo({ "README.md": "# defaults\n" });
    const teamId = `t-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    await db().team.create({ data: { id: teamId, name: "Defaults", slug: teamId, defaultBudgetUsd: 7 } });
    const plain = await insertSession(teamId, { repo, prompt: "no budget of its own", thinkingBudget: 4096 });
    expect(toDto(await getSession(teamId, plain.id))).toMatchObject({ budgetUsd: 7, thinkingBudget: 4096 });
    const own = await insertSession(teamId, { repo, prompt: "its own budget", budgetUsd: 1.25 });
    expect(toDto(await getSession(teamId, own.id))).toMatchObject({ budgetUsd: 1.25, thinkingBudget: null });
    await expect(insertSession(teamId, { repo, prompt: "p", thinkingBudget: 40_000 })).rejects.toThrow(/thinking budget must be below 32,000 tokens/);
    await expect(insertSession(teamId, { repo, prompt: "p", model: "some-proxy-alias", thinkingBudget: 2048 })).rejects.toThrow(/cannot use extended thinking/);
  });
});
