// Once across instances: two other processes on the same database and this one tick at the same
// moment for the same slot; exactly one run is stored and exactly one session starts for it (when
// another instance won, the run it could not start is sent again by a later tick here).
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { waitFor } from "../../test/fixtures";
import { script, startHarness, waitStatus, type Harness } from "../../test/session-harness";
import { db } from "../db/client";
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

interface Instance {
  child: ChildProcessWithoutNullStreams;
  ready: Promise<void>;
  done: Promise<{ code: number | null; out: string; err: string }>;
}

function instance(at: Date): Instance {
  const root = path.resolve(import.meta.dirname, "../..");
  const child = spawn(path.join(root, "node_modules/.bin/tsx"), ["lib/routines/tick-instance.ts", at.toISOString()], { cwd: root, env: process.env });
  let out = "";
  let err = "";
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on("data", (b: Buffer) => {
    out += b.toString();
    if (out.includes("ready\n")) markReady();
  });
  child.stderr.on("data", (b: Buffer) => (err += b.toString()));
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.on("exit", (code) => resolve({ code, out, err })));
  return { child, ready, done };
}

it("two other processes and this one tick the same slot at once: one run, one session", async () => {
  h.stub.addScript(script("TASK-once", [{ blocks: [{ type: "text", text: "Ran once." }] }]));
  const w = await routineWorld();
  const routine = await makeRoutine(w, { prompt: "TASK-once: say hello", schedule: { cron: "0 9 * * *", tz: "UTC" } }, new Date("2026-05-01T08:00:00Z"));
  const at = new Date("2026-05-01T09:00:10Z");

  const others = [instance(at), instance(at)];
  await Promise.race([Promise.all(others.map((o) => o.ready)), Promise.all(others.map((o) => o.done)).then((d) => Promise.reject(new Error(`an instance exited early: ${JSON.stringify(d)}`)))]);
  for (const o of others) o.child.stdin.write("go\n");
  await tickRoutines(at);
  const ended = await Promise.all(others.map((o) => o.done));
  expect(ended.map((e) => e.code), JSON.stringify(ended)).toEqual([0, 0]);

  const runs = await listRuns(routine.id);
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ trigger: "schedule", slot: "2026-05-01T09:00:00.000Z", missed: 0 });

  // If another instance won, its run is still queued (it had no orchestrator): a later tick here sends it again.
  await tickRoutines(new Date(at.getTime() + 3 * 60_000));
  const run = await waitFor(async () => (await listRuns(routine.id)).find((r) => r.state === "started" && r.sessionId), "the run's session");
  expect(await listRuns(routine.id)).toHaveLength(1);
  expect(await db().session.count({ where: { routineId: routine.id } })).toBe(1);
  await waitStatus(run.sessionId!, "idle");
  await db().routine.update({ where: { id: routine.id }, data: { enabled: false } });
}, 300_000);
