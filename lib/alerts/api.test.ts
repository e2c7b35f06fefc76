// The alerts API called in-process with API tokens: the active team's open alerts only, newest
// first; resolving needs a member, another team's alert is 404, and the audit trail says who.
import { beforeAll, describe, expect, it } from "vitest";
import { POST as resolvePost } from "../../app/api/alerts/[id]/resolve/route";
import { GET as alertsGet } from "../../app/api/alerts/route";
import { callRoute, type RouteHandler } from "../../test/route-call";
import type { Role } from "../auth/roles";
import { createApiToken } from "../auth/tokens";
import { connectDb, db } from "../db/client";
import { makeMember, makeSession, makeTeam } from "../history/test-fixtures";
import type { AlertDto } from "../protocol/alerts";
import { setRuntime, type Runtime } from "../runtime/boot";
import { raiseAlert } from "./raise";

type Body = { alerts: AlertDto[]; id: string; resolvedAt: string; error: { message: string } };
const call = <P,>(handler: RouteHandler<P>, token: string, method: string, params: P) => callRoute<Body, P>(handler, token, method, params);

interface Side {
  team: string;
  session: string;
  tokens: Record<Role, string>;
  users: Record<Role, string>;
}
let A: Side;
let B: Side;

async function side(): Promise<Side> {
  const team = await makeTeam();
  const tokens = {} as Record<Role, string>;
  const users = {} as Record<Role, string>;
  for (const role of ["owner", "admin", "member", "viewer"] as const) {
    users[role] = (await makeMember(team, role)).user.id;
    tokens[role] = (await createApiToken(users[role], team, role)).token;
  }
  return { team, session: await makeSession(team, { status: "running" }), tokens, users };
}

const raise = (s: Side, key: string, message: string) => raiseAlert({ teamId: s.team, sessionId: s.session, kind: "stuck", title: `Stuck: ${key}`, message, key: `${s.team}:${key}` });
const alertId = async (s: Side, key: string) => (await db().alert.findUniqueOrThrow({ where: { key: `${s.team}:${key}` } })).id;

beforeAll(async () => {
  connectDb(process.env.DATABASE_URL!);
  // No orchestrator: the alerts are stored and notified without a transcript event.
  setRuntime({ orchestrator: undefined, health: async () => ({}) } as unknown as Runtime);
  [A, B] = [await side(), await side()];
  await raise(A, "older", "No output and no model call for 30 minutes");
  await db().alert.update({ where: { key: `${A.team}:older` }, data: { createdAt: new Date(Date.now() - 60_000) } });
  await raise(A, "newer", "No output and no model call for 10 minutes");
  await raise(A, "done", "resolved already");
  await db().alert.update({ where: { key: `${A.team}:done` }, data: { resolvedAt: new Date() } });
  await raise(B, "theirs", "B's own alert");
});

describe("without credentials", () => {
  it("answers 401 on both routes", async () => {
    const anonymous = (method: string) => new Request("http://dockside.test/api/alerts", { method });
    expect((await alertsGet(anonymous("GET"), { params: Promise.resolve({}) })).status).toBe(401);
    expect((await resolvePost(anonymous("POST"), { params: Promise.resolve({ id: "x" }) })).status).toBe(401);
  });
});

describe("GET /api/alerts", () => {
  it("lists the caller's team's open alerts, newest first, to every role", async () => {
    for (const role of ["owner", "member", "viewer"] as const) {
      const r = await call(alertsGet, A.tokens[role], "GET", {});
      expect(r.status).toBe(200);
      expect(r.body.alerts.map((a) => [a.kind, a.title, a.message, a.sessionId])).toEqual([
        ["stuck", "Stuck: newer", "No output and no model call for 10 minutes", A.session],
        ["stuck", "Stuck: older", "No output and no model call for 30 minutes", A.session],
      ]);
    }
    const theirs = await call(alertsGet, B.tokens.viewer, "GET", {});
    expect(theirs.body.alerts.map((a) => a.message)).toEqual(["B's own alert"]);
  });
});

describe("POST /api/alerts/:id/resolve", () => {
  it("refuses viewers (403) and another team's members (404), and unknown ids (404)", async () => {
    const id = await alertId(A, "older");
    const viewer = await call(resolvePost, A.tokens.viewer, "POST", { id });
    expect(viewer.status).toBe(403);
    expect(viewer.body.error.message).toMatch(/needs member/);
    expect((await call(resolvePost, B.tokens.owner, "POST", { id })).status).toBe(404);
    expect((await call(resolvePost, A.tokens.owner, "POST", { id: "00000000-0000-0000-0000-000000000000" })).status).toBe(404);
    expect((await call(resolvePost, A.tokens.owner, "POST", { id: "not-an-id" })).status).toBe(404);
    expect((await db().alert.findUniqueOrThrow({ where: { id } })).resolvedAt).toBeNull();
  });

  it("lets a member resolve: gone from the list, audited once, resolving again changes nothing", async () => {
    const id = await alertId(A, "older");
    const r = await call(resolvePost, A.tokens.member, "POST", { id });
    expect(r.status).toBe(200);
    expect(r.body.id).toBe(id);
    const row = await db().alert.findUniqueOrThrow({ where: { id } });
    expect(row.resolvedBy).toBe(A.users.member);
    expect((await call(alertsGet, A.tokens.viewer, "GET", {})).body.alerts.map((a) => a.title)).toEqual(["Stuck: newer"]);

    const again = await call(resolvePost, A.tokens.admin, "POST", { id });
    expect(again.status).toBe(200);
    expect(again.body.resolvedAt).toBe(row.resolvedAt!.toISOString());
    const audit = await db().auditEntry.findMany({ where: { teamId: A.team, action: "alert.resolved" } });
    expect(audit.map((a) => [a.actorId, a.targetType, a.targetId])).toEqual([[A.users.member, "alert", id]]);
  });
});
