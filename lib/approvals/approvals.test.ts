// Approvals end to end on the host: a hostile worker on a real channel socket asks, people decide
// through the real route handlers (API tokens, roles, another team's ids answered 404), and the
// event log, the session row and the approval rows say what happened (rig: approvals-rig.ts).
import crypto from "node:crypto";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as approvalsGet } from "../../app/api/sessions/[id]/approvals/route";
import { GET as sessionGet } from "../../app/api/sessions/[id]/route";
import { request } from "../../test/channel-client";
import { allEvents } from "../../test/session-harness";
import { db } from "../db/client";
import type { ApprovalDto } from "../protocol/permissions";
import { call, decide, of, openSession, orchestrator, rowOf, state, useRig, type Side } from "./approvals-rig";

const sides = useRig();
let A: Side;
let B: Side;
beforeAll(() => void ({ A, B } = sides));

describe("POST /worker/approvals", () => {
  it("stores a pending row, records approval.requested and awaiting_approval, and is idempotent by callId", async () => {
    const s = await openSession(A, "ask");
    const r = await s.ask("call-1");
    expect(r.status).toBe(200);
    const first = state(r);
    expect(first).toMatchObject({ status: "pending" });
    const row = await db().approval.findUniqueOrThrow({ where: { id: first.id } });
    expect(row).toMatchObject({ sessionId: s.id, teamId: A.team, callId: "call-1", kind: "tool", tool: "shell", input: { command: "npm install left-pad" }, status: "pending" });
    expect((await rowOf(s.id)).status).toBe("awaiting_approval");
    let events = await allEvents(s.id);
    expect(of(events, "approval.requested").map((e) => e.data)).toEqual([{ approvalId: first.id, callId: "call-1", kind: "tool", tool: "shell", input: { command: "npm install left-pad" }, reason: expect.stringMatching(/mode ask/) }]);
    expect(events.at(-1)).toMatchObject({ type: "status", data: { status: "awaiting_approval" } });

    // A resend (lost answer, restart) gets the same approval, and nothing new in the log.
    const again = await s.ask("call-1", { input: { command: "rm -rf /" } });
    expect(state(again)).toEqual(first);
    // A second call while the first waits: one more request, no second status event.
    const second = state(await s.ask("call-2", { input: { command: "npm test" } }));
    expect(second.id).not.toBe(first.id);
    events = await allEvents(s.id);
    expect(of(events, "approval.requested")).toHaveLength(2);
    expect(of(events, "status").filter((e) => e.data.status === "awaiting_approval")).toHaveLength(1);

    const dto = await call(sessionGet, A.tokens.viewer, "GET", { id: s.id });
    expect(dto.body).toMatchObject({ status: "awaiting_approval", mode: "ask", pendingApprovals: 2 });
  });

  it("refuses what is not a request (422), bodies over 300 KB (413), a worker's own awaiting_approval, and other sessions' approvals (404)", async () => {
    const s = await openSession(A);
    expect((await request(s.socket, "POST", "/worker/approvals", "not json")).status).toBe(400);
    expect((await request(s.socket, "POST", "/worker/approvals", { callId: "x", kind: "tool", tool: "shell", input: {}, reason: "r", extra: 1 })).status).toBe(422);
    expect((await request(s.socket, "POST", "/worker/approvals", { callId: "", kind: "plan", tool: "p", reason: "r" })).status).toBe(422);
    expect((await s.ask("big", { input: { command: "x".repeat(310 * 1024) } })).status).toBe(413);
    expect(await db().approval.count({ where: { sessionId: s.id } })).toBe(0);

    const r = await request(s.socket, "POST", "/worker/events", { events: [{ wid: 1, type: "status", data: { status: "awaiting_approval" } }] });
    expect(r.status).toBe(200);
    expect((await rowOf(s.id)).status).toBe("running");

    const other = await openSession(A);
    const theirs = state(await other.ask("c"));
    expect((await s.poll(theirs.id)).status).toBe(404);
    expect((await s.poll("not-an-id")).status).toBe(404);
    expect((await s.poll(crypto.randomUUID())).status).toBe(404);
    expect((await other.poll(theirs.id, 99)).status).toBe(422);
  });

  it("masks the session's secret values in the stored request and its event", async () => {
    const s = await openSession(A);
    s.live.setup.masks = ["hunter2-secret-value"];
    const a = state(await s.ask("sec", { input: { command: "curl -H 'token: hunter2-secret-value' x" }, reason: "needs hunter2-secret-value" }));
    const row = await db().approval.findUniqueOrThrow({ where: { id: a.id } });
    expect(JSON.stringify(row)).not.toMatch(/hunter2/);
    expect(JSON.stringify(of(await allEvents(s.id), "approval.requested"))).not.toMatch(/hunter2/);
  });
});

describe("deciding", () => {
  it("wakes the worker's long poll with the decision; the session runs again when nothing else is pending", async () => {
    const s = await openSession(A, "ask");
    const a = state(await s.ask("c1"));
    const t0 = Date.now();
    const poll = s.poll(a.id, 20);
    await new Promise((r) => setTimeout(r, 300));
    const d = await decide(A.tokens.member, a.id, { decision: "approve", message: "go ahead" });
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ id: a.id, status: "approved", decidedBy: A.names.member, message: "go ahead", suggestedRule: "shell(npm install left-pad)" });
    const woke = await poll;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(state(woke)).toEqual({ id: a.id, status: "approved", message: "go ahead" });
    const events = await allEvents(s.id);
    expect(of(events, "approval.decided").map((e) => e.data)).toEqual([{ approvalId: a.id, callId: "c1", decision: "approved", by: A.names.member, message: "go ahead" }]);
    expect(events.at(-1)).toMatchObject({ type: "status", data: { status: "running" } });
    expect((await rowOf(s.id)).status).toBe("running");
    const audit = await db().auditEntry.findFirst({ where: { teamId: A.team, action: "approval.decided", targetId: s.id } });
    expect(audit?.data).toMatchObject({ approvalId: a.id, decision: "approved", tool: "shell" });
    // A poll of a decided approval answers at once.
    expect(state(await s.poll(a.id, 30))).toMatchObject({ status: "approved" });
  });

  it("keeps the session awaiting while another approval is pending; a denial carries its message", async () => {
    const s = await openSession(A, "ask");
    const one = state(await s.ask("one"));
    const two = state(await s.ask("two"));
    expect((await decide(A.tokens.admin, one.id, { decision: "deny", message: "not that package" })).body).toMatchObject({ status: "denied", message: "not that package" });
    expect((await rowOf(s.id)).status).toBe("awaiting_approval");
    expect(state(await s.poll(one.id))).toEqual({ id: one.id, status: "denied", message: "not that package" });
    await decide(A.tokens.owner, two.id, { decision: "approve" });
    expect((await rowOf(s.id)).status).toBe("running");
  });

  it("answers viewers 403, other teams 404, and a second decision 409 naming who decided", async () => {
    const s = await openSession(A, "ask");
    const a = state(await s.ask("c"));
    const viewer = await decide(A.tokens.viewer, a.id, { decision: "approve" });
    expect(viewer.status).toBe(403);
    for (const role of ["owner", "member", "viewer"] as const) expect((await decide(B.tokens[role], a.id, { decision: "approve" })).status).toBe(404);
    expect((await decide(A.tokens.member, crypto.randomUUID(), { decision: "approve" })).status).toBe(404);
    expect((await decide(A.tokens.member, "nope", { decision: "approve" })).status).toBe(404);
    expect((await decide(A.tokens.member, a.id, { decision: "maybe" })).status).toBe(422);
    expect((await db().approval.findUniqueOrThrow({ where: { id: a.id } })).status).toBe("pending");

    expect((await decide(A.tokens.member, a.id, { decision: "approve" })).status).toBe(200);
    const twice = await decide(A.tokens.admin, a.id, { decision: "deny" });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toBe(`this approval was already approved by ${A.names.member}`);

    // Two people at once: one decision, one 409.
    const b = state(await s.ask("race"));
    const both = await Promise.all([decide(A.tokens.member, b.id, { decision: "approve" }), decide(A.tokens.admin, b.id, { decision: "deny" })]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(of(await allEvents(s.id), "approval.decided").filter((e) => e.data.approvalId === b.id)).toHaveLength(1);
  });

  it("lists a session's approvals newest first for viewers, 404 for other teams", async () => {
    const s = await openSession(A, "ask");
    const first = state(await s.ask("a", { tool: "write_file", input: { path: "src/index.ts", content: "x" } }));
    await new Promise((r) => setTimeout(r, 5));
    const second = state(await s.ask("b"));
    const r = await call(approvalsGet, A.tokens.viewer, "GET", { id: s.id });
    expect(r.status).toBe(200);
    const list = r.body.approvals as ApprovalDto[];
    expect(list.map((x) => x.id)).toEqual([second.id, first.id]);
    expect(list[1]).toMatchObject({ kind: "tool", tool: "write_file", status: "pending", suggestedRule: "write_file(src/index.ts)", decidedAt: null, decidedBy: null, message: null });
    expect((await call(approvalsGet, B.tokens.owner, "GET", { id: s.id })).status).toBe(404);
  });

  it("approve and remember adds the allow rule to the repository, and needs repo.manage", async () => {
    const s = await openSession(A, "ask");
    const a = state(await s.ask("rem", { input: { command: "npm run lint" } }));
    const member = await decide(A.tokens.member, a.id, { decision: "approve", remember: true });
    expect(member.status).toBe(403);
    expect(member.body.error.message).toMatch(/repository's settings.*admin/);
    expect((await db().approval.findUniqueOrThrow({ where: { id: a.id } })).status).toBe("pending");
    expect((await decide(A.tokens.admin, a.id, { decision: "deny", remember: true })).status).toBe(422);

    const admin = await decide(A.tokens.admin, a.id, { decision: "approve", remember: true });
    expect(admin.status).toBe(200);
    const repo = await db().repository.findUniqueOrThrow({ where: { id: A.repo } });
    expect((repo.rules as { allow: string[] }).allow).toContain("shell(npm run lint)");
    expect(of(await allEvents(s.id), "approval.decided")[0].data).toMatchObject({ decision: "approved", rule: "shell(npm run lint)", by: A.names.admin });
    expect(await db().auditEntry.findFirst({ where: { teamId: A.team, action: "repo.updated", targetId: A.repo, data: { path: ["approvalId"], equals: a.id } } })).not.toBeNull();
    // The worker's next permissions hold it (its cache lasts a second).
    await new Promise((r) => setTimeout(r, 1100));
    expect((await s.permissions()).rules.allow).toContain("shell(npm run lint)");
    // Remembering the same call again adds nothing twice.
    const b = state(await s.ask("rem2", { input: { command: "npm run lint" } }));
    expect((await decide(A.tokens.owner, b.id, { decision: "approve", remember: true })).status).toBe(200);
    const after = await db().repository.findUniqueOrThrow({ where: { id: A.repo } });
    expect((after.rules as { allow: string[] }).allow.filter((r) => r === "shell(npm run lint)")).toHaveLength(1);
  });

  it("an approved plan switches the session's mode (ask unless chosen), with a mode event", async () => {
    const s = await openSession(A, "plan");
    const p = state(await s.ask("plan-1", { kind: "plan", tool: "exit_plan_mode", input: { plan: "1. add tests\n2. fix the bug" }, reason: "the plan needs approval" }));
    expect((await decide(A.tokens.member, p.id, { decision: "approve", remember: true })).status).toBe(422);
    expect((await decide(A.tokens.member, p.id, { decision: "approve", mode: "auto" })).body).toMatchObject({ status: "approved", suggestedRule: null });
    expect(state(await s.poll(p.id))).toEqual({ id: p.id, status: "approved", mode: "auto" });
    expect((await rowOf(s.id)).mode).toBe("auto");
    const events = await allEvents(s.id);
    expect(of(events, "approval.decided")[0].data).toMatchObject({ mode: "auto" });
    expect(of(events, "mode").map((e) => e.data)).toEqual([{ mode: "auto", by: A.names.member }]);
    expect((await s.permissions()).mode).toBe("auto");

    const t = await openSession(A, "plan");
    const q = state(await t.ask("plan-2", { kind: "plan", tool: "exit_plan_mode", input: { plan: "x" } }));
    await decide(A.tokens.member, q.id, { decision: "approve" });
    expect((await rowOf(t.id)).mode).toBe("ask");
    const u = await openSession(A, "plan");
    const r = state(await u.ask("plan-3", { kind: "plan", tool: "exit_plan_mode", input: { plan: "x" } }));
    expect((await decide(A.tokens.member, r.id, { decision: "deny", message: "smaller steps" })).status).toBe(200);
    expect((await rowOf(u.id)).mode).toBe("plan");
    expect(of(await allEvents(u.id), "mode")).toHaveLength(0);
  });
});

describe("the status model while awaiting", () => {
  it("the worker may move an awaiting session on (running, idle); a follow-up is queued, not started", async () => {
    const s = await openSession(A, "ask");
    await s.ask("c");
    await db().session.update({ where: { id: s.id }, data: { baseCommit: "a".repeat(40) } });
    await orchestrator.sendMessage(A.team, s.id, "also update the README");
    const msg = of(await allEvents(s.id), "user.message").at(-1);
    expect(msg?.data).toMatchObject({ text: "also update the README", queued: true });
    expect((await rowOf(s.id)).status).toBe("awaiting_approval");
    // The idle reaper only looks at idle sessions.
    await db().$executeRaw`UPDATE sessions SET updated_at = now() - interval '2 hours' WHERE id = ${s.id}`;
    expect(await orchestrator.reapIdle(1)).not.toContain(s.id);

    const r = await request(s.socket, "POST", "/worker/events", { events: [{ wid: 1, type: "status", data: { status: "idle" } }] });
    expect(r.status).toBe(200);
    expect((await rowOf(s.id)).status).toBe("idle");
  });
});

