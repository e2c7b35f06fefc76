// The routines API through its route handlers (API tokens, real PostgreSQL) and the webhook with
// the routine's own token; runs are real sessions (sandbox, model stand-in).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as fire } from "../../app/api/routines/[id]/fire/route";
import { DELETE as routineDelete, GET as routineGet, PATCH as routinePatch } from "../../app/api/routines/[id]/route";
import { POST as runNow } from "../../app/api/routines/[id]/run/route";
import { GET as runsGet } from "../../app/api/routines/[id]/runs/route";
import { POST as rotate } from "../../app/api/routines/[id]/token/route";
import { GET as routinesGet, POST as routinesPost } from "../../app/api/routines/route";
import { makeRepo } from "../../test/fixtures";
import { callRoute, type RouteHandler } from "../../test/route-call";
import { script, startHarness, waitStatus, type Harness } from "../../test/session-harness";
import { createApiToken, hashSecret } from "../auth/tokens";
import { db } from "../db/client";
import type { RoutineDto, RoutineFired, RoutineRunDto } from "../protocol/routines";
import { routineWorld, tokenFor, type RoutineWorld } from "./test-fixtures";

type Body = RoutineDto & RoutineFired & { token: string; routines: RoutineDto[]; runs: RoutineRunDto[]; error: { message: string } };
const call = <P>(handler: RouteHandler<P>, token: string, method: string, params: P, body?: unknown) => callRoute<Body, P>(handler, token, method, params, body);

/** POST /api/routines/:id/fire as a webhook caller would: any Authorization header, or none. */
async function hook(id: string, authorization: string | null, body?: unknown): Promise<{ status: number; body: Body; challenge: string | null }> {
  const headers: Record<string, string> = authorization === null ? {} : { authorization };
  const req = new Request(`http://dockside.test/api/routines/${id}/fire`, { method: "POST", headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const res = await fire(req, { params: Promise.resolve({ id }) });
  return { status: res.status, body: (await res.json()) as Body, challenge: res.headers.get("www-authenticate") };
}

let h: Harness;
let A: RoutineWorld & { creatorToken: string; admin: string; member: string; viewer: string };
let B: RoutineWorld & { owner: string };

beforeAll(async () => {
  h = await startHarness();
  h.stub.addScript(script("TASK-hook", [{ blocks: [{ type: "text", text: "Looked at it." }] }]));
  const a = await routineWorld();
  A = { ...a, creatorToken: (await createApiToken(a.creator.user.id, a.teamId, "creator")).token, admin: (await tokenFor(a.teamId, "admin")).token, member: (await tokenFor(a.teamId, "member")).token, viewer: (await tokenFor(a.teamId, "viewer")).token };
  const b = await routineWorld();
  B = { ...b, owner: (await tokenFor(b.teamId, "owner")).token };
});
afterAll(async () => {
  await h?.close();
});

describe("creating and managing routines", () => {
  it("creates on a registered repository (token shown once, stored hashed), with its next runs", async () => {
    const made = await call(routinesPost, A.creatorToken, "POST", {}, { repo: A.repo, prompt: "TASK-hook: nightly tidy", schedule: { cron: "0 6 * * 1-5", tz: "Europe/Paris" } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ repoId: A.repositoryId, name: "TASK-hook: nightly tidy", kind: "task", enabled: true, dailyCap: 24, schedule: { cron: "0 6 * * 1-5", tz: "Europe/Paris" }, lastRun: null });
    expect(made.body.token).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    expect(made.body.nextRuns).toHaveLength(5);
    for (const at of made.body.nextRuns) expect(new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Paris", hour: "2-digit", minute: "2-digit" }).format(new Date(at))).toBe("06:00");
    const row = await db().routine.findUniqueOrThrow({ where: { id: made.body.id } });
    expect(row.tokenHash).toBe(hashSecret(made.body.token));
    expect(JSON.stringify(await call(routineGet, A.viewer, "GET", { id: made.body.id }))).not.toContain(made.body.token);
    expect(await db().auditEntry.count({ where: { teamId: A.teamId, action: "routine.created", targetId: made.body.id } })).toBe(1);

    const listed = await call(routinesGet, A.viewer, "GET", {});
    expect(listed.body.routines.map((r) => r.id)).toContain(made.body.id);
    expect((await call(routinesGet, B.owner, "GET", {})).body.routines.map((r) => r.id)).not.toContain(made.body.id);
  });

  it("refuses what it cannot run, saying what to do", async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ repo: makeRepo(), prompt: "x" }, 422, /is not registered to your team: register it first in Settings → Repositories/],
      [{ repo: B.repositoryId, prompt: "x" }, 404, /not found in your team: register it first in Settings → Repositories/],
      [{ repo: A.repositoryId, prompt: "x", schedule: { cron: "*/30 * * * * *", tz: "UTC" } }, 422, /5 fields .* seconds/],
      [{ repo: A.repositoryId, prompt: "x", schedule: { cron: "0 9 * * *", tz: "Moon/Tranquility" } }, 422, /is not a time zone/],
      [{ repo: A.repositoryId, prompt: "x", baseBranch: "bad..name" }, 422, /not a valid branch name/],
      [{ repo: A.repositoryId, prompt: "x", model: "gpt-nothing" }, 422, /is not one this server offers/],
      [{ repo: A.repositoryId, prompt: "x", mode: "yolo" }, 422, /^mode: /],
    ];
    for (const [body, status, why] of cases) {
      const r = await call(routinesPost, A.member, "POST", {}, body);
      expect(`${r.status} ${r.body.error?.message}`, JSON.stringify(body)).toMatch(new RegExp(`^${status} ${why.source.startsWith("^") ? why.source.slice(1) : `.*${why.source}`}`));
    }
  });

  it("is for members to create, creators or admins to change; another team's routine is 404", async () => {
    expect((await call(routinesPost, A.viewer, "POST", {}, { repo: A.repositoryId, prompt: "TASK-hook: x" })).status).toBe(403);
    const made = await call(routinesPost, A.creatorToken, "POST", {}, { repo: A.repositoryId, prompt: "TASK-hook: theirs" });
    const id = made.body.id;
    expect((await call(routineGet, B.owner, "GET", { id })).status).toBe(404);
    expect((await call(routinePatch, B.owner, "PATCH", { id }, { name: "mine now" })).status).toBe(404);
    expect((await call(runNow, B.owner, "POST", { id })).status).toBe(404);
    expect((await call(runsGet, B.owner, "GET", { id })).status).toBe(404);
    expect((await call(rotate, B.owner, "POST", { id })).status).toBe(404);
    expect((await call(routineGet, A.viewer, "GET", { id: "not-a-routine" })).status).toBe(404);

    expect((await call(routinePatch, A.viewer, "PATCH", { id }, { name: "viewer's" })).status).toBe(403);
    const notTheirs = await call(routinePatch, A.member, "PATCH", { id }, { name: "member's" });
    expect(notTheirs.status).toBe(403);
    expect(notTheirs.body.error.message).toMatch(/only its creator or an admin/);
    expect((await call(routineDelete, A.member, "DELETE", { id })).status).toBe(403);

    const patched = await call(routinePatch, A.creatorToken, "PATCH", { id }, { schedule: { cron: "15 7 * * *", tz: "UTC" }, dailyCap: 3 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ schedule: { cron: "15 7 * * *", tz: "UTC" }, dailyCap: 3 });
    expect(patched.body.nextRuns[0]).toMatch(/T07:15:00\.000Z$/);
    expect(new Date(patched.body.nextRuns[0]).getTime()).toBeGreaterThan(Date.now());
    const off = await call(routinePatch, A.admin, "PATCH", { id }, { enabled: false, schedule: null });
    expect(off.body).toMatchObject({ enabled: false, schedule: null, nextRuns: [] });
    expect((await call(routineDelete, A.admin, "DELETE", { id })).status).toBe(200);
    expect((await call(routineGet, A.viewer, "GET", { id })).status).toBe(404);
  });
});

describe("the webhook", () => {
  it("answers 401 to a missing or wrong token (any routine id), fires with the right one, and stops at the cap", async () => {
    const made = await call(routinesPost, A.creatorToken, "POST", {}, { repo: A.repositoryId, prompt: "TASK-hook: fix what CI reports", dailyCap: 2 });
    const { id, token } = made.body;
    const other = await call(routinesPost, A.creatorToken, "POST", {}, { repo: A.repositoryId, prompt: "TASK-hook: another" });

    const refused = [
      await hook(id, null),
      await hook(id, "Bearer rt_wrongwrongwrongwrongwrongwrongwrongwrongwro"),
      await hook(id, `Bearer ${A.creatorToken}`),
      await hook(id, `Bearer ${other.body.token}`),
      await hook(crypto.randomUUID(), `Bearer ${token}`),
      await hook("no-such-routine", `Bearer ${token}`),
      await hook(crypto.randomUUID(), null),
    ];
    for (const r of refused) {
      expect(r.status).toBe(401);
      expect(r.challenge).toMatch(/^Bearer/);
    }
    // Every refusal reads the same: nothing tells a caller whether the routine exists.
    expect(new Set(refused.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(await db().routineRun.count({ where: { routineId: { in: [id, other.body.id] } } })).toBe(0);

    const fired = await hook(id, `Bearer ${token}`, { text: "CI failed: test_login (expected 200, got 500)" });
    expect(fired.status).toBe(201);
    expect(fired.body).toMatchObject({ state: "started", error: null });
    const session = await db().session.findUniqueOrThrow({ where: { id: fired.body.sessionId! } });
    expect(session.routineId).toBe(id);
    expect(session.createdById).toBe(A.creator.user.id);
    expect(session.prompt.endsWith("\n\n---\nFrom the trigger (webhook):\n> CI failed: test_login (expected 200, got 500)")).toBe(true);
    const audit = await db().auditEntry.findFirstOrThrow({ where: { action: "routine.fired", targetId: id } });
    expect(audit).toMatchObject({ actorId: null, data: { trigger: "webhook", runId: fired.body.runId } });

    // Rotation: the old token stops working at once, the new one fires (an empty body is fine).
    const rotated = await call(rotate, A.creatorToken, "POST", { id });
    expect(rotated.status).toBe(201);
    expect((await hook(id, `Bearer ${token}`)).status).toBe(401);
    const second = await hook(id, `Bearer ${rotated.body.token}`);
    expect(second.status).toBe(201);

    const capped = await hook(id, `Bearer ${rotated.body.token}`, { text: "again" });
    expect(capped.status).toBe(429);
    expect(capped.body.error.message).toBe("this routine ran 2 times in the last 24 hours (its cap); raise its daily cap or wait");

    expect((await call(routinePatch, A.creatorToken, "PATCH", { id }, { enabled: false })).status).toBe(200);
    const disabled = await hook(id, `Bearer ${rotated.body.token}`);
    expect(disabled.status).toBe(409);
    expect(disabled.body.error.message).toMatch(/disabled/);

    const runs = await call(runsGet, A.viewer, "GET", { id });
    expect(runs.body.runs.map((r) => r.id)).toEqual([second.body.runId, fired.body.runId]);
    expect(runs.body.runs[1]).toMatchObject({ trigger: "webhook", text: "CI failed: test_login (expected 200, got 500)", sessionId: fired.body.sessionId });
    expect(runs.body.runs.every((r) => r.sessionStatus !== null)).toBe(true);
    for (const r of runs.body.runs) await waitStatus(r.sessionId!, "idle");
    expect((await call(routineGet, A.viewer, "GET", { id })).body.lastRun).toMatchObject({ id: second.body.runId, sessionStatus: "idle" });
  }, 300_000);

  it("lets a member run someone's routine now: the session is the creator's, the text appended", async () => {
    const made = await call(routinesPost, A.creatorToken, "POST", {}, { repo: A.repositoryId, prompt: "TASK-hook: on demand" });
    expect((await call(runNow, A.viewer, "POST", { id: made.body.id })).status).toBe(403);
    const r = await call(runNow, A.member, "POST", { id: made.body.id }, { text: "look at issue 42" });
    expect(r.status).toBe(201);
    const session = await db().session.findUniqueOrThrow({ where: { id: r.body.sessionId! } });
    expect(session).toMatchObject({ createdById: A.creator.user.id, routineId: made.body.id });
    expect(session.prompt).toBe("TASK-hook: on demand\n\n---\nFrom the trigger (manual):\n> look at issue 42");
    await waitStatus(session.id, "idle");
  }, 300_000);

  it("fails a run with the reason when its creator may no longer start sessions", async () => {
    const made = await call(routinesPost, A.creatorToken, "POST", {}, { repo: A.repositoryId, prompt: "TASK-hook: orphan" });
    const former = await tokenFor(A.teamId, "member");
    await db().routine.update({ where: { id: made.body.id }, data: { createdById: former.userId } });
    await db().member.update({ where: { teamId_userId: { teamId: A.teamId, userId: former.userId } }, data: { role: "viewer" } });
    const r = await hook(made.body.id, `Bearer ${made.body.token}`);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ state: "failed", sessionId: null });
    expect(r.body.error).toMatch(/may no longer start sessions in this team \(role viewer\)/);
  });
});
