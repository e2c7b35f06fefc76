// A hostile agent and another team against alerts (lib/alerts/, app/api/alerts): an agent that
// alternates failing and passing commands to raise a "looping" alert (a notification, a webhook
// delivery) every few calls, and alert ids of another team or through a token confined to one
// team. Each attack here is refused; the test asserts the refusal.
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as resolvePost } from "../../app/api/alerts/[id]/resolve/route";
import { GET as alertsGet } from "../../app/api/alerts/route";
import { checkLooping } from "../../lib/alerts/checks";
import { alertOnSessionEvents } from "../../lib/alerts/on-events";
import { raiseAlert } from "../../lib/alerts/raise";
import { createApiToken } from "../../lib/auth/tokens";
import { connectDb, db } from "../../lib/db/client";
import type { NewEvent } from "../../lib/events/schema";
import { appendEvents } from "../../lib/events/store";
import { makeMember, makeSession, makeTeam } from "../../lib/history/test-fixtures";
import type { AlertDto } from "../../lib/protocol/alerts";
import { setRuntime, type Runtime } from "../../lib/runtime/boot";
import { callRoute, type RouteHandler } from "../route-call";

type Body = { alerts: AlertDto[]; id: string; error: { message: string } };
const call = <P,>(handler: RouteHandler<P>, token: string, method: string, params: P) => callRoute<Body, P>(handler, token, method, params);

beforeAll(() => {
  connectDb(process.env.DATABASE_URL!);
  setRuntime({ orchestrator: undefined, health: async () => ({}) } as unknown as Runtime);
});

let n = 0;
/** One shell call of the agent and how it ended, as the worker stores them. */
function shell(command: string, exitCode: number): NewEvent[] {
  const callId = `toolu_${++n}`;
  return [
    { type: "tool.call", data: { callId, name: "shell", input: { command } } },
    { type: "tool.result", data: { callId, isError: false, exitCode, output: exitCode ? "failed" : "ok", truncated: false, durationMs: 5 } },
  ];
}

describe("looping alerts", () => {
  it("an agent alternating three failures and a success raises one open alert, not one every fourth command", async () => {
    const team = await makeTeam();
    const person = await makeMember(team, "member", "Starter");
    const session = await makeSession(team, { status: "running", createdById: person.user.id });
    const s = await db().session.findUniqueOrThrow({ where: { id: session }, select: { id: true, teamId: true, status: true, prompt: true, costUsd: true, budgetUsd: true, containerId: true } });
    for (let round = 0; round < 8; round++) {
      for (let i = 0; i < 3; i++) {
        const events = shell("npm test", 1);
        const stored = await appendEvents(session, events);
        await alertOnSessionEvents(session, stored.stored);
      }
      await appendEvents(session, shell("true", 0));
      await checkLooping(s);
    }
    expect(await db().alert.count({ where: { sessionId: session, kind: "looping" } })).toBe(1);
    // Once a person resolved it, a new loop is news again.
    await db().alert.updateMany({ where: { sessionId: session, kind: "looping" }, data: { resolvedAt: new Date() } });
    for (let i = 0; i < 3; i++) await appendEvents(session, shell("npm run lint", 2));
    expect(await checkLooping(s)).toBe(true);
    expect(await db().alert.count({ where: { sessionId: session, kind: "looping" } })).toBe(2);
  });
});

describe("another team's alerts", () => {
  it("are neither listed nor resolvable, also through a token confined to team A of a person in both", async () => {
    const [a, b] = [await makeTeam(), await makeTeam()];
    const both = await makeMember(a, "owner", "Both");
    await db().member.create({ data: { teamId: b, userId: both.user.id, role: "owner" } });
    const aOnly = (await createApiToken(both.user.id, a, "A only")).token;
    const bSession = await makeSession(b, { status: "running" });
    await raiseAlert({ teamId: b, sessionId: bSession, kind: "stuck", title: "Stuck: B", message: "B's", key: `hostile:${b}` });
    const alert = await db().alert.findUniqueOrThrow({ where: { key: `hostile:${b}` } });
    expect((await call(alertsGet, aOnly, "GET", {})).body.alerts.map((x) => x.id)).not.toContain(alert.id);
    const resolved = await call(resolvePost, aOnly, "POST", { id: alert.id });
    expect(resolved.status).toBe(404);
    expect(resolved.body).toEqual((await call(resolvePost, aOnly, "POST", { id: crypto.randomUUID() })).body);
    expect((await call(resolvePost, aOnly, "POST", { id: "'; DROP TABLE alerts; --" })).status).toBe(404);
    expect((await db().alert.findUniqueOrThrow({ where: { id: alert.id } })).resolvedAt).toBeNull();
  });
});
