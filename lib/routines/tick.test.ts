// A schedule with a clock the test controls: "0 9 * * *" in Europe/Paris fires once per slot,
// each run a real session (sandbox, model stand-in) marked with its routine; slots passed over are
// counted as missed, not stacked; across the spring DST change the run stays at 09:00 local.
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { script, startHarness, waitStatus, type Harness } from "../../test/session-harness";
import { db } from "../db/client";
import { getSession, toDto } from "../sessions/dto";
import { listRuns } from "./read-routines";
import { makeRoutine, routineWorld } from "./test-fixtures";
import { tickRoutines } from "./tick";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});
// Schedules left on would be due for the other files' clocks (they share the database).
const made: string[] = [];
afterEach(async () => {
  await db().routine.updateMany({ where: { id: { in: made.splice(0) } }, data: { enabled: false } });
});

/** A moment in Paris (winter time, UTC+1, until 2026-03-29 02:00 local; summer time, UTC+2, after). */
const paris = (local: string) => {
  const summer = local >= "2026-03-29T02:00";
  return new Date(`${local}${summer ? "+02:00" : "+01:00"}`);
};

it("fires once per slot, counts missed slots, and keeps 09:00 local across the DST change", async () => {
  h.stub.addScript(script("TASK-morning", [{ blocks: [{ type: "text", text: "Morning check done." }] }]));
  const w = await routineWorld();
  const routine = await makeRoutine(w, { prompt: "TASK-morning: look at the README", schedule: { cron: "0 9 * * *", tz: "Europe/Paris" } }, paris("2026-03-26T07:00"));
  made.push(routine.id);
  expect(routine.nextRuns.slice(0, 4)).toEqual(["2026-03-26T08:00:00.000Z", "2026-03-27T08:00:00.000Z", "2026-03-28T08:00:00.000Z", "2026-03-29T07:00:00.000Z"]);

  await tickRoutines(paris("2026-03-26T08:59"));
  expect(await listRuns(routine.id)).toEqual([]);

  await tickRoutines(paris("2026-03-26T09:00:20"));
  const [run, ...more] = await listRuns(routine.id);
  expect(more).toEqual([]);
  expect(run).toMatchObject({ trigger: "schedule", slot: "2026-03-26T08:00:00.000Z", missed: 0, state: "started", error: null });
  const session = toDto(await getSession(w.teamId, run.sessionId!));
  expect(session).toMatchObject({ routine: { id: routine.id, name: routine.name }, prompt: "TASK-morning: look at the README", createdBy: { id: w.creator.user.id } });

  await tickRoutines(paris("2026-03-26T09:00:40"));
  expect(await listRuns(routine.id)).toHaveLength(1);

  // Three days later (summer time since the 29th): one run for the 29th's slot, the 27th and 28th missed.
  await tickRoutines(paris("2026-03-29T09:00"));
  const runs = await listRuns(routine.id);
  expect(runs).toHaveLength(2);
  expect(runs.find((r) => r.id !== run.id)).toMatchObject({ slot: "2026-03-29T07:00:00.000Z", missed: 2, state: "started" });
  expect((await db().routine.findUniqueOrThrow({ where: { id: routine.id } })).nextRunAt?.toISOString()).toBe("2026-03-30T07:00:00.000Z");
  expect(await db().session.count({ where: { routineId: routine.id } })).toBe(2);

  for (const r of runs) await waitStatus(r.sessionId!, "idle");
}, 300_000);

it("stores a scheduled run over the daily cap as skipped, with the reason, and starts nothing", async () => {
  const w = await routineWorld();
  const routine = await makeRoutine(w, { prompt: "TASK-capped: nothing", schedule: { cron: "*/10 * * * *", tz: "UTC" }, dailyCap: 1 }, new Date("2026-02-01T00:00:30Z"));
  made.push(routine.id);
  // One run already counted in the last 24 hours (a webhook's, say).
  await db().routineRun.create({ data: { id: crypto.randomUUID(), routineId: routine.id, trigger: "webhook", state: "started", createdAt: new Date("2026-02-01T00:05:00Z") } });
  await tickRoutines(new Date("2026-02-01T00:10:05Z"));
  const scheduled = (await listRuns(routine.id)).filter((r) => r.trigger === "schedule");
  expect(scheduled).toHaveLength(1);
  expect(scheduled[0]).toMatchObject({ state: "skipped", sessionId: null, error: "this routine ran 1 time in the last 24 hours (its cap); raise its daily cap or wait" });
  expect(await db().session.count({ where: { routineId: routine.id } })).toBe(0);
});
