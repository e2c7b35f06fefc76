// Approvals across a stop and a restart, and the permissions around them: the worker's merged
// rules, settings and modes through the API (rig: approvals-rig.ts).
import { beforeAll, describe, expect, it } from "vitest";
import { PATCH as repoPatch } from "../../app/api/repos/[id]/route";
import { PATCH as sessionPatch } from "../../app/api/sessions/[id]/route";
import { POST as stopPost } from "../../app/api/sessions/[id]/stop/route";
import { GET as teamGet, PATCH as teamPatch } from "../../app/api/teams/[id]/route";
import { makeRepo } from "../../test/fixtures";
import { allEvents } from "../../test/session-harness";
import { db } from "../db/client";
import { makeTeam } from "../history/test-fixtures";
import type { SessionDto } from "../protocol/api";
import { insertSession } from "../sessions/create-session";
import { attach, call, decide, of, openSession, rowOf, state, useRig, type Side } from "./approvals-rig";

const sides = useRig();
let A: Side;
let B: Side;
beforeAll(() => void ({ A, B } = sides));

describe("stopping and restarting", () => {
  it("stopping cancels pending approvals: the poll answers cancelled, the log says so", async () => {
    const s = await openSession(A, "ask");
    const a = state(await s.ask("c"));
    const poll = s.poll(a.id, 20);
    await new Promise((r) => setTimeout(r, 200));
    expect((await call(stopPost, A.tokens.member, "POST", { id: s.id })).status).toBe(202);
    expect(state(await poll)).toMatchObject({ id: a.id, status: "cancelled" });
    expect((await db().approval.findUniqueOrThrow({ where: { id: a.id } })).status).toBe("cancelled");
    expect(of(await allEvents(s.id), "approval.decided").map((e) => e.data)).toEqual([{ approvalId: a.id, callId: "c", decision: "cancelled", message: `the session was stopped by ${A.names.member}` }]);
    const late = await decide(A.tokens.member, a.id, { decision: "approve" });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/cancelled/);
  });

  it("a worker that comes back after a server restart finds its approval still pending", async () => {
    const s = await openSession(A, "ask");
    const a = state(await s.ask("c"));
    await s.live.closeChannel();
    const again = await attach(s.id);
    expect((await rowOf(s.id)).status).toBe("awaiting_approval");
    expect(state(await again.poll(a.id))).toEqual({ id: a.id, status: "pending" });
    expect(state(await again.ask("c"))).toEqual({ id: a.id, status: "pending" });
    const poll = again.poll(a.id, 20);
    await decide(A.tokens.member, a.id, { decision: "approve" });
    expect(state(await poll)).toMatchObject({ status: "approved" });
  });
});

describe("GET /worker/permissions", () => {
  it("merges the team's and the repository's rules, with the repository's hooks and the session's mode", async () => {
    const team = await call(teamPatch, A.tokens.admin, "PATCH", { id: A.team }, { rules: { deny: ["shell(git push*)"], allow: ["read_file"] }, defaultMode: "ask" });
    expect(team.status).toBe(200);
    expect(team.body).toMatchObject({ rules: { allow: ["read_file"], ask: [], deny: ["shell(git push*)"] }, defaultMode: "ask" });
    expect((await call(teamGet, A.tokens.viewer, "GET", { id: A.team })).body).toMatchObject({ defaultMode: "ask", rules: { deny: ["shell(git push*)"] } });
    const hooks = { pre_tool: [{ command: "./check.sh", tools: ["shell"] }] };
    const repo = await call(repoPatch, A.tokens.admin, "PATCH", { id: A.repo }, { rules: { allow: ["shell(npm test*)"], ask: ["write_file(**/*.lock)"] }, hooks, defaultMode: "plan" });
    expect(repo.status).toBe(200);
    expect(repo.body).toMatchObject({ rules: { allow: ["shell(npm test*)"], ask: ["write_file(**/*.lock)"], deny: [] }, hooks: { pre_tool: [{ command: "./check.sh", tools: ["shell"], timeoutS: 120 }], stopMaxRuns: 3 }, defaultMode: "plan" });

    const s = await openSession(A, "ask");
    const p = await s.permissions();
    expect(p.mode).toBe("ask");
    expect(p.rules.deny).toEqual(["shell(git push*)"]);
    expect(p.rules.allow).toEqual(expect.arrayContaining(["read_file", "shell(npm test*)"]));
    expect(p.rules.allow.indexOf("read_file")).toBe(0);
    expect(p.rules.ask).toEqual(["write_file(**/*.lock)"]);
    expect(p.hooks.pre_tool).toEqual([{ command: "./check.sh", tools: ["shell"], timeoutS: 120 }]);

    // A person's change applies within a second (the live session caches one read).
    expect((await call(sessionPatch, A.tokens.member, "PATCH", { id: s.id }, { mode: "auto" })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await s.permissions()).mode).toBe("auto");

    // Stored rules that no longer parse count as none (a warning in the log), never a wedged session.
    await db().team.update({ where: { id: A.team }, data: { rules: { allow: "everything" } } });
    await new Promise((r) => setTimeout(r, 1100));
    const broken = await s.permissions();
    expect(broken.rules.deny).toEqual([]);
    expect(broken.rules.allow).toContain("shell(npm test*)");

    // null clears.
    expect((await call(teamPatch, A.tokens.admin, "PATCH", { id: A.team }, { rules: null, defaultMode: null })).body).toMatchObject({ rules: null, defaultMode: null });
    expect((await call(repoPatch, A.tokens.admin, "PATCH", { id: A.repo }, { hooks: null, defaultMode: null })).body).toMatchObject({ hooks: null, defaultMode: null });
    await new Promise((r) => setTimeout(r, 1100));
    expect((await s.permissions()).hooks).toEqual({ pre_tool: [], post_tool: [], stop: [], stopMaxRuns: 3 });
  });
});

describe("settings and modes through the API", () => {
  it("refuses bad rules, hooks and modes with 422 naming the field; members may not change them", async () => {
    const bad = await call(repoPatch, A.tokens.admin, "PATCH", { id: A.repo }, { rules: { deny: ["shell("] } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/^rules\.deny\.0: "shell\(" is not a rule/);
    const team = await call(teamPatch, A.tokens.admin, "PATCH", { id: A.team }, { rules: { allow: ["ok", "Bad Rule"] } });
    expect(team.status).toBe(422);
    expect(team.body.error.message).toMatch(/^rules\.allow\.1: "Bad Rule" is not a rule/);
    expect((await call(repoPatch, A.tokens.admin, "PATCH", { id: A.repo }, { rules: { allow: [], nope: [] } })).status).toBe(422);
    const hooks = await call(repoPatch, A.tokens.admin, "PATCH", { id: A.repo }, { hooks: { pre_tool: [{ command: "" }] } });
    expect(hooks.status).toBe(422);
    expect(hooks.body.error.message).toMatch(/^hooks\.pre_tool\.0\.command/);
    expect((await call(teamPatch, A.tokens.admin, "PATCH", { id: A.team }, { defaultMode: "yolo" })).body.error.message).toMatch(/^defaultMode/);
    expect((await call(repoPatch, A.tokens.member, "PATCH", { id: A.repo }, { rules: { allow: ["shell"] } })).status).toBe(403);
    expect((await call(teamPatch, A.tokens.member, "PATCH", { id: A.team }, { rules: { allow: ["shell"] } })).status).toBe(403);

    const ok = await call(repoPatch, A.tokens.admin, "PATCH", { id: A.repo }, { rules: { allow: ["shell(npm test*)", "shell(npm test*)"] } });
    expect(ok.body).toMatchObject({ rules: { allow: ["shell(npm test*)"], ask: [], deny: [] } });
    const audit = await db().auditEntry.findFirst({ where: { teamId: A.team, action: "repo.updated", targetId: A.repo }, orderBy: { createdAt: "desc" } });
    expect(audit?.data).toMatchObject({ rules: { allow: ["shell(npm test*)", "shell(npm test*)"] } });
  });

  it("PATCH /api/sessions/:id {mode} records a mode event with who changed it; viewers 403", async () => {
    const s = await openSession(A, "auto");
    const r = await call(sessionPatch, A.tokens.member, "PATCH", { id: s.id }, { mode: "ask" });
    expect(r.status).toBe(200);
    expect((r.body as unknown as SessionDto).mode).toBe("ask");
    expect(of(await allEvents(s.id), "mode").map((e) => e.data)).toEqual([{ mode: "ask", by: A.names.member }]);
    expect(await db().auditEntry.findFirst({ where: { teamId: A.team, action: "session.mode_changed", targetId: s.id } })).toMatchObject({ data: { from: "auto", to: "ask" } });
    // The same mode again: nothing to record.
    await call(sessionPatch, A.tokens.member, "PATCH", { id: s.id }, { mode: "ask" });
    expect(of(await allEvents(s.id), "mode")).toHaveLength(1);
    expect((await call(sessionPatch, A.tokens.viewer, "PATCH", { id: s.id }, { mode: "auto" })).status).toBe(403);
    expect((await call(sessionPatch, B.tokens.owner, "PATCH", { id: s.id }, { mode: "auto" })).status).toBe(404);
    expect((await call(sessionPatch, A.tokens.member, "PATCH", { id: s.id }, { mode: "nope" })).status).toBe(422);
    expect((await call(sessionPatch, A.tokens.member, "PATCH", { id: s.id }, {})).status).toBe(422);
    // The budget alone still works, and leaves the mode.
    expect((await call(sessionPatch, A.tokens.member, "PATCH", { id: s.id }, { budgetUsd: 3 })).body).toMatchObject({ budgetUsd: 3, mode: "ask" });
  });

  it("new sessions take the mode asked for, else the repository's default, else the team's, else auto", async () => {
    const team = await makeTeam();
    const path_ = makeRepo({ "README.md": "# modes\n" });
    const plain = await insertSession(team, { repo: path_, prompt: "p" });
    expect((await rowOf(plain.id)).mode).toBe("auto");
    await db().team.update({ where: { id: team }, data: { defaultMode: "ask" } });
    expect((await rowOf((await insertSession(team, { repo: path_, prompt: "p" })).id)).mode).toBe("ask");
    await db().repository.updateMany({ where: { teamId: team }, data: { defaultMode: "plan" } });
    expect((await rowOf((await insertSession(team, { repo: path_, prompt: "p" })).id)).mode).toBe("plan");
    expect((await rowOf((await insertSession(team, { repo: path_, prompt: "p", mode: "auto" })).id)).mode).toBe("auto");
  });
});

