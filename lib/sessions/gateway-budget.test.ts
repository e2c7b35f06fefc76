// Cost and budgets at the model gateway, on a real channel socket in front of the scripted
// Messages API: every call is priced, and once a session's budget or its team's monthly cap is
// reached nothing more is forwarded until someone raises it.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODEL, request, startGatewayRig, type TestSession } from "../../test/channel-client";
import { waitFor } from "../../test/fixtures";
import { allEvents } from "../../test/session-harness";
import { db } from "../db/client";
import { monthStart } from "../events/store";
import { costOf } from "../models/table";
import type { ModelStub } from "../modelstub/server";
import { toDto } from "./dto";

let rig: Awaited<ReturnType<typeof startGatewayRig>>;
let stub: ModelStub;
beforeAll(async () => {
  rig = await startGatewayRig([{ match: "BUDGET-ok", steps: [{ usage: { inputTokens: 40_000, outputTokens: 2_000 }, blocks: [{ type: "text", text: "priced answer" }] }] }]);
  stub = rig.stub;
});
afterAll(async () => rig?.close());
const session = () => rig.session();

const ask = (prompt: string) => ({ model: MODEL, max_tokens: 1024, stream: true, messages: [{ role: "user", content: [{ type: "text", text: prompt }] }] });
const call = (s: TestSession, prompt: string) => request(s.socket, "POST", "/v1/messages", ask(prompt), { "anthropic-version": "2023-06-01" });
const hostNotes = async (id: string) => (await allEvents(id)).flatMap((e) => (e.type === "error" && e.data.source === "host" ? [e.data.message] : []));

describe("cost and budgets at the gateway", () => {
  it("prices each call from the model table and keeps the totals on the session row", async () => {
    const s = await session();
    expect((await call(s, "BUDGET-ok one")).status).toBe(200);
    expect((await call(s, "BUDGET-ok two")).status).toBe(200);
    const usage = await waitFor(async () => {
      const u = (await allEvents(s.id)).flatMap((e) => (e.type === "usage" ? [e.data] : []));
      return u.length === 2 ? u : null;
    }, "two usage events");
    for (const u of usage) {
      expect(u.costUsd).toBeGreaterThan(0);
      expect(u.costUsd).toBe(costOf(MODEL, u));
    }
    const dto = toDto(await db().session.findUniqueOrThrow({ where: { id: s.id } }));
    const sum = (k: "inputTokens" | "outputTokens" | "cacheReadTokens" | "cacheWriteTokens") => usage.reduce((a, u) => a + (u[k] ?? 0), 0);
    expect(dto.usage).toEqual({
      inputTokens: sum("inputTokens"),
      outputTokens: sum("outputTokens"),
      cacheReadTokens: sum("cacheReadTokens"),
      cacheWriteTokens: sum("cacheWriteTokens"),
      costUsd: expect.closeTo(usage[0].costUsd! + usage[1].costUsd!, 9),
    });
  });

  it("refuses the next call once the session's budget is reached, with one note, and forwards again after a raise", async () => {
    const s = await session();
    await db().session.update({ where: { id: s.id }, data: { budgetUsd: 0.01 } });
    expect((await call(s, "BUDGET-ok first")).status).toBe(200); // under budget: forwarded, and it goes over
    await waitFor(async () => (await db().session.findUniqueOrThrow({ where: { id: s.id } })).costUsd > 0, "the cost on the row");
    const before = stub.requests.length;
    const refused = await call(s, "BUDGET-ok second");
    expect(refused.status).toBe(400);
    const err = refused.json() as { type: string; error: { type: string; message: string } };
    expect(err.type).toBe("error");
    expect(err.error.message).toMatch(/^budget reached: \$\d+\.\d\d of \$0\.01 \(session budget\); raise it to continue$/);
    expect(stub.requests.length).toBe(before);
    expect(await waitFor(async () => ((await hostNotes(s.id)).length ? hostNotes(s.id) : null), "the note")).toEqual([err.error.message]);

    await db().session.update({ where: { id: s.id }, data: { budgetUsd: 100 } });
    expect((await call(s, "BUDGET-ok third")).status).toBe(200);
  });

  it("refuses calls once the team's spend this month reaches its cap", async () => {
    const s = await session();
    const teamId = `t-${crypto.randomUUID()}`;
    await db().team.create({ data: { id: teamId, name: "Capped", slug: teamId, monthlyCapUsd: 5 } });
    await db().session.update({ where: { id: s.id }, data: { teamId } });
    await db().teamUsageMonth.create({ data: { teamId, month: new Date(`${monthStart(new Date())}T00:00:00Z`), costUsd: 4.99 } });
    expect((await call(s, "BUDGET-ok under the cap")).status).toBe(200);
    // That call's cost is added to the team's month with its usage event.
    await waitFor(async () => ((await db().teamUsageMonth.findFirstOrThrow({ where: { teamId } })).costUsd > 4.99 ? true : null), "the month total");
    const refused = await call(s, "BUDGET-ok over the cap");
    expect(refused.status).toBe(400);
    expect((refused.json() as { error: { message: string } }).error.message).toMatch(/^budget reached: \$5\.\d\d of \$5\.00 \(team monthly cap\); an admin can raise it in Settings to continue$/);
    await db().team.update({ where: { id: teamId }, data: { monthlyCapUsd: 50 } });
    expect((await call(s, "BUDGET-ok raised")).status).toBe(200);
  });
});
