// Budgets, team spending settings and bad text through the real HTTP stack (server.ts + Next's
// production build): who may change what, what the answers carry, and 422 for text that cannot be
// stored as sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, startTeamWorld, type TeamWorld } from "../../test/team-world";
import { db } from "../db/client";
import { monthStart } from "../events/store";

let w: TeamWorld;
beforeAll(async () => {
  w = await startTeamWorld();
}, 180_000);
afterAll(async () => {
  await w?.stop();
});

const message = (body: unknown) => (body as { error: { message: string } }).error.message;

describe("bad text in a request", () => {
  it("answers 422 to a NUL or a lone surrogate in a prompt, a follow-up or a team name, saying where", async () => {
    const nul = await w.call(as("member"), "POST", "/api/sessions", { repo: "/srv/repos/fixture", prompt: "fix\u0000it" });
    expect(nul.status).toBe(422);
    expect(message(nul.body)).toMatch(/^prompt: contains a NUL character \(\\u0000\) at position 3; remove it and send again$/);
    const lone = await w.call(as("member"), "POST", "/api/sessions", { repo: "/srv/repos/fixture", prompt: "fix \ud83d it" });
    expect(lone.status).toBe(422);
    expect(message(lone.body)).toMatch(/^prompt: contains a lone UTF-16 surrogate/);
    const followUp = await w.call(as("member"), "POST", `/api/sessions/${w.A.session}/messages`, { text: "\udc00" });
    expect(followUp.status).toBe(422);
    const team = await w.call(as("admin"), "PATCH", `/api/teams/${w.A.id}`, { name: "Team\u0000A" });
    expect(team.status).toBe(422);
    expect(message(team.body)).toMatch(/^name: contains a NUL/);
  });
});

describe("a session's budget over HTTP", () => {
  it("shows usage and budget, and lets members change the budget (audited), not viewers or outsiders", async () => {
    const got = await w.call(as("viewer"), "GET", `/api/sessions/${w.A.session}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 }, budgetUsd: null, thinkingBudget: null });

    expect((await w.call(as("viewer"), "PATCH", `/api/sessions/${w.A.session}`, { budgetUsd: 9 })).status).toBe(403);
    expect((await w.call(as("outsider"), "PATCH", `/api/sessions/${w.A.session}`, { budgetUsd: 9 })).status).toBe(404);
    expect((await w.call(as("member"), "PATCH", `/api/sessions/${w.A.session}`, { budgetUsd: -1 })).status).toBe(422);
    const raised = await w.call(as("member"), "PATCH", `/api/sessions/${w.A.session}`, { budgetUsd: 3.5 });
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({ id: w.A.session, budgetUsd: 3.5 });
    const audit = await db().auditEntry.findFirstOrThrow({ where: { targetId: w.A.session, action: "session.budget_changed" } });
    expect(audit.data).toMatchObject({ from: null, to: 3.5 });
    expect((await w.call(as("member"), "PATCH", `/api/sessions/${w.A.session}`, { budgetUsd: null })).body).toMatchObject({ budgetUsd: null });
  });
});

describe("team spending settings", () => {
  it("lets admins set a default budget, a monthly cap and instructions, and shows this month's spend", async () => {
    const settings = { defaultBudgetUsd: 2, monthlyCapUsd: 40, instructions: "Run the tests before you commit." };
    expect((await w.call(as("member"), "PATCH", `/api/teams/${w.A.id}`, settings)).status).toBe(403);
    const saved = await w.call(as("admin"), "PATCH", `/api/teams/${w.A.id}`, settings);
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ ...settings, monthCostUsd: 0 });
    const audit = await db().auditEntry.findFirstOrThrow({ where: { teamId: w.A.id, action: "team.budget_changed" } });
    expect(audit.data).toMatchObject({ from: { defaultBudgetUsd: null, monthlyCapUsd: null }, to: { defaultBudgetUsd: 2, monthlyCapUsd: 40 } });

    await db().teamUsageMonth.create({ data: { teamId: w.A.id, month: new Date(`${monthStart(new Date())}T00:00:00Z`), costUsd: 12.34 } });
    expect((await w.call(as("viewer"), "GET", `/api/teams/${w.A.id}`)).body).toMatchObject({ monthCostUsd: 12.34, monthlyCapUsd: 40 });

    const tooLong = await w.call(as("admin"), "PATCH", `/api/teams/${w.A.id}`, { instructions: "x".repeat(20_001) });
    expect(tooLong.status).toBe(422);
    expect(message(tooLong.body)).toMatch(/at most 20,000 characters/);
  });
});
