// Check routines on real parts: the bundled worker's `report` tool, called by a scripted agent,
// gives the run its verdict; `attention` raises an alert and notifies "routine.attention", `ok`
// raises nothing, and a check that ends without a verdict is flagged by the tick.
import { afterAll, beforeAll, expect, it } from "vitest";
import { allEvents, script, startHarness, waitStatus, type Harness } from "../../test/session-harness";
import { db } from "../db/client";
import type { NewEvent } from "../events/schema";
import { makeMember } from "../history/test-fixtures";
import { setPrefs } from "../notifications/prefs";
import { DEFAULT_NOTIFICATION_PREFS } from "../protocol/permissions";
import { fireRoutine } from "./fire";
import { reportFromAgent } from "./report";
import { CHECK_INSTRUCTION } from "./start-run";
import { makeRoutine, routineWorld } from "./test-fixtures";
import { tickRoutines } from "./tick";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const reportStep = (verdict: "ok" | "attention", summary: string) => ({ blocks: [{ type: "tool_use" as const, name: "report", input: { verdict, summary } }] });

/** Fires a check routine of a fresh team by hand and waits for its session to end its turn. */
async function runCheck(marker: string) {
  const w = await routineWorld();
  const routine = await makeRoutine(w, { prompt: `${marker}: run the test suite and tell me if anything regressed`, kind: "check" });
  const fired = await fireRoutine({ ...routine, teamId: w.teamId }, { trigger: "manual", actor: w.creator.user });
  expect(fired).toMatchObject({ state: "started", error: null });
  await waitStatus(fired.sessionId!, "idle");
  const run = await db().routineRun.findUniqueOrThrow({ where: { id: fired.runId } });
  return { w, routine, run, sessionId: fired.sessionId! };
}

it("an `attention` verdict is stored on the run, recorded, alerted and notified to the team", async () => {
  h.stub.addScript(script("TASK-check-red", [reportStep("attention", "2 tests regressed"), { blocks: [{ type: "text", text: "Reported." }] }]));
  const w = await routineWorld();
  // A teammate who follows the whole team hears of it too (the creator hears of their own runs).
  const teammate = await makeMember(w.teamId, "member", "Teammate");
  await setPrefs(teammate.user.id, w.teamId, { ...DEFAULT_NOTIFICATION_PREFS, scope: "team" });
  const routine = await makeRoutine(w, { prompt: "TASK-check-red: run the test suite", kind: "check" });
  const fired = await fireRoutine({ ...routine, teamId: w.teamId }, { trigger: "manual", actor: w.creator.user });
  await waitStatus(fired.sessionId!, "idle");

  const asked = h.stub.requests.find((r) => JSON.stringify(r.body).includes("TASK-check-red"));
  expect(JSON.stringify(asked?.body)).toContain(JSON.stringify(CHECK_INSTRUCTION).slice(1, -1));

  const run = await db().routineRun.findUniqueOrThrow({ where: { id: fired.runId } });
  expect(run).toMatchObject({ verdict: "attention", summary: "2 tests regressed" });
  const events = await allEvents(fired.sessionId!);
  const reports = events.filter((e) => e.type === "report");
  expect(reports.map((e) => e.data)).toEqual([expect.objectContaining({ verdict: "attention", summary: "2 tests regressed" })]);
  expect(events.some((e) => e.type === "alert" && e.data.kind === "check" && e.data.message === "2 tests regressed")).toBe(true);

  const alerts = await db().alert.findMany({ where: { routineId: routine.id } });
  expect(alerts).toEqual([expect.objectContaining({ kind: "check", sessionId: fired.sessionId, title: `Check needs attention: ${routine.name}`, message: "2 tests regressed", resolvedAt: null })]);
  const notified = await db().notification.findMany({ where: { teamId: w.teamId, event: "routine.attention" } });
  expect(notified.map((n) => n.userId).sort()).toEqual([w.creator.user.id, teammate.user.id].sort());
  expect(notified[0]).toMatchObject({ sessionId: fired.sessionId, title: `Check needs attention: ${routine.name}`, body: "2 tests regressed" });

  // The worker resending the same call (a lost answer) changes nothing.
  const callId = reports[0].type === "report" ? reports[0].data.callId! : "";
  const ctx = { sessionId: fired.sessionId!, masks: [], record: async (evs: NewEvent[]) => void (await Promise.all(evs.map((e) => h.orchestrator.record(fired.sessionId!, e)))) };
  await reportFromAgent(ctx, { callId, verdict: "ok", summary: "resent differently" });
  expect((await allEvents(fired.sessionId!)).filter((e) => e.type === "report")).toHaveLength(1);
  expect(await db().routineRun.findUniqueOrThrow({ where: { id: fired.runId } })).toMatchObject({ verdict: "attention", summary: "2 tests regressed" });
  expect(await db().alert.count({ where: { routineId: routine.id } })).toBe(1);
}, 300_000);

it("an `ok` verdict raises nothing", async () => {
  h.stub.addScript(script("TASK-check-green", [reportStep("ok", "all 214 tests pass"), { blocks: [{ type: "text", text: "All good." }] }]));
  const { w, routine, run } = await runCheck("TASK-check-green");
  expect(run).toMatchObject({ verdict: "ok", summary: "all 214 tests pass" });
  expect(await db().alert.count({ where: { routineId: routine.id } })).toBe(0);
  expect(await db().notification.count({ where: { teamId: w.teamId, event: "routine.attention" } })).toBe(0);
  await tickRoutines(new Date("2020-01-01T00:00:00Z"));
  expect(await db().alert.count({ where: { routineId: routine.id } })).toBe(0);
}, 300_000);

it("a check that ends without a verdict is flagged once by the tick", async () => {
  h.stub.addScript(script("TASK-check-silent", [{ blocks: [{ type: "text", text: "I looked around and stopped." }] }]));
  const { w, routine, run, sessionId } = await runCheck("TASK-check-silent");
  expect(run.verdict).toBeNull();
  // A clock before every schedule here: only the scan of ended checks has work.
  await tickRoutines(new Date("2020-01-01T00:00:00Z"));
  await tickRoutines(new Date("2020-01-01T00:01:00Z"));
  expect(await db().alert.findMany({ where: { routineId: routine.id } })).toEqual([
    expect.objectContaining({ kind: "check", sessionId, message: "the check ended without a verdict", title: `Check needs attention: ${routine.name}` }),
  ]);
  expect(await db().routineRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ state: "started", error: "the check ended without a verdict" });
  expect(await db().notification.count({ where: { teamId: w.teamId, userId: w.creator.user.id, event: "routine.attention" } })).toBe(1);
}, 300_000);

it("a `report` outside a routine run is recorded and nothing else happens", async () => {
  h.stub.addScript(script("TASK-plain-report", [reportStep("attention", "not a check"), { blocks: [{ type: "text", text: "Done." }] }]));
  const w = await routineWorld();
  const s = await h.orchestrator.createSession(w.teamId, { repo: w.repo, prompt: "TASK-plain-report: anything" }, w.creator.user);
  await waitStatus(s.id, "idle");
  const events = await allEvents(s.id);
  expect(events.filter((e) => e.type === "report").map((e) => e.data)).toEqual([expect.objectContaining({ verdict: "attention", summary: "not a check" })]);
  expect(await db().alert.count({ where: { sessionId: s.id } })).toBe(0);
  expect(await db().notification.count({ where: { sessionId: s.id, event: "routine.attention" } })).toBe(0);
}, 300_000);
