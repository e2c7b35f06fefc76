// Alerts on the real database with a real orchestrator as the runtime: the scan with a controlled
// clock, the checks that run as events are stored (LiveSession.published), idempotence across
// scans and concurrent raises, automatic resolution, and the notification reaching the people
// who asked for session alerts (their inbox, their live push).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../test/fixtures";
import type { Caller } from "../auth/caller";
import { connectDb, db } from "../db/client";
import { ev, type NewEvent, type SessionEvent } from "../events/schema";
import { appendEvents, readEvents } from "../events/store";
import { makeMember, makeSession, makeTeam } from "../history/test-fixtures";
import { listNotifications } from "../notifications/inbox";
import type { NotificationDto } from "../protocol/permissions";
import { setPublisher } from "../realtime/bus";
import { setRuntime } from "../runtime/boot";
import { Orchestrator } from "../sessions/orchestrator";
import type { Measure } from "./checks";
import { raiseAlert } from "./raise";
import { scanAlerts } from "./scan";

const pushed: { userId: string; teamId: string; dto: NotificationDto }[] = [];
const orchestrator = new Orchestrator();

beforeAll(() => {
  connectDb(process.env.DATABASE_URL!);
  setRuntime({ orchestrator, health: async () => ({}) as never });
  setPublisher({ events: () => {}, session: () => {}, revoke: () => {}, notification: (userId, teamId, dto) => void pushed.push({ userId, teamId, dto }) });
});
afterAll(async () => {
  await orchestrator.shutdown();
  setPublisher(undefined);
  setRuntime(undefined);
});

const minutesAfter = (t: Date, m: number) => new Date(t.getTime() + m * 60_000);
const at = (t: Date, e: NewEvent): NewEvent => ({ ...e, ts: t.toISOString() });
const alertsOf = (sessionId: string) => db().alert.findMany({ where: { sessionId }, orderBy: { createdAt: "asc" } });
const openAlertsOf = (sessionId: string) => db().alert.findMany({ where: { sessionId, resolvedAt: null }, orderBy: { createdAt: "asc" } });
const pushedTo = (c: Caller, sessionId: string) => pushed.filter((p) => p.userId === c.user.id && p.dto.sessionId === sessionId && p.dto.event === "session.alert");
async function allEvents(id: string): Promise<SessionEvent[]> {
  return readEvents(id, 0, 5000);
}
const NO_MEASURE: Measure = { memory: async () => null, disk: async () => null };

/** A team whose member started a running session (they hear of its alerts: scope "watched"). */
async function runningSession(prompt = "fix the flaky tests\nand more") {
  const team = await makeTeam();
  const starter = await makeMember(team, "member");
  const bystander = await makeMember(team, "member");
  const t0 = new Date(Date.now() - 2 * 60 * 60_000);
  const id = await makeSession(team, {
    prompt,
    createdById: starter.user.id,
    status: "running",
    events: [at(t0, ev("user.message", { text: prompt })), at(t0, ev("status", { status: "running" })), at(minutesAfter(t0, 1), ev("assistant.text", { block: "b1", text: "Looking." }))],
  });
  return { team, starter, bystander, id, t0 };
}

describe("stuck", () => {
  it("raises one alert after the threshold without progress: in the transcript, the starter's inbox and live push", async () => {
    const { team, starter, bystander, id, t0 } = await runningSession();
    const progress = minutesAfter(t0, 1);

    expect((await scanAlerts(minutesAfter(progress, 9), { teamId: team, measure: NO_MEASURE })).raised).toBe(0);
    expect(await alertsOf(id)).toEqual([]);

    expect((await scanAlerts(minutesAfter(progress, 12), { teamId: team, measure: NO_MEASURE })).raised).toBe(1);
    const [alert] = await openAlertsOf(id);
    expect(alert).toMatchObject({ kind: "stuck", teamId: team, title: "Stuck: fix the flaky tests", message: "No output and no model call for 12 minutes" });

    const events = await allEvents(id);
    expect(events.filter((e) => e.type === "alert").map((e) => e.data)).toEqual([{ kind: "stuck", message: "No output and no model call for 12 minutes" }]);

    const inbox = await listNotifications(starter.user.id, team);
    expect(inbox.notifications.filter((n) => n.sessionId === id).map((n) => [n.event, n.title, n.body])).toEqual([["session.alert", "Stuck: fix the flaky tests", "No output and no model call for 12 minutes"]]);
    expect(pushedTo(starter, id)).toHaveLength(1);
    // The default scope is "watched": someone who never opened the session is not disturbed.
    expect((await listNotifications(bystander.user.id, team)).notifications).toEqual([]);

    // Later scans of the same stall change nothing: one alert, one notification.
    expect((await scanAlerts(minutesAfter(progress, 13), { teamId: team, measure: NO_MEASURE })).raised).toBe(0);
    expect(await scanAlerts(minutesAfter(progress, 13), { teamId: team, measure: NO_MEASURE })).toEqual({ raised: 0 });
    expect(await alertsOf(id)).toHaveLength(1);
    expect(pushedTo(starter, id)).toHaveLength(1);
  });

  it("is resolved when the session makes progress, and a new stall raises a new alert", async () => {
    const { team, id, t0 } = await runningSession();
    await scanAlerts(minutesAfter(t0, 20), { teamId: team, measure: NO_MEASURE });
    expect(await openAlertsOf(id)).toHaveLength(1);

    const resumed = minutesAfter(t0, 30);
    const [usage] = (await appendEvents(id, [at(resumed, ev("usage", { model: "claude-test", inputTokens: 10, outputTokens: 5 }))])).stored;
    expect((await scanAlerts(minutesAfter(resumed, 1), { teamId: team, measure: NO_MEASURE })).raised).toBe(0);
    expect(await openAlertsOf(id)).toEqual([]);

    expect((await scanAlerts(minutesAfter(resumed, 15), { teamId: team, measure: NO_MEASURE })).raised).toBe(1);
    const open = await openAlertsOf(id);
    expect(open.map((a) => [a.key, a.message])).toEqual([[`stuck:${id}:${usage.seq}`, "No output and no model call for 15 minutes"]]);
    expect(await alertsOf(id)).toHaveLength(2);
  });

  it("is resolved at once when a model call is stored through the live session", async () => {
    const { team, id, t0 } = await runningSession();
    await scanAlerts(minutesAfter(t0, 20), { teamId: team, measure: NO_MEASURE });
    expect(await openAlertsOf(id)).toHaveLength(1);
    await orchestrator.record(id, ev("usage", { model: "claude-test", inputTokens: 10, outputTokens: 5 }));
    await waitFor(async () => (await openAlertsOf(id)).length === 0, "the stuck alert to be resolved");
  });
});

describe("looping", () => {
  const shellCall = (n: number, command: string) => ev("tool.call", { callId: `c${n}`, name: "shell", input: { command } });
  const failed = (n: number) => ev("tool.result", { callId: `c${n}`, isError: false, exitCode: 1, output: "1 failing", truncated: false, durationMs: 900 });

  it("raises when the same command failed three times in a row, as the events are stored", async () => {
    const { team, starter, id } = await runningSession();
    for (const n of [1, 2, 3]) {
      await orchestrator.record(id, shellCall(n, "npm test"));
      await orchestrator.record(id, failed(n));
    }
    const alert = await waitFor(async () => (await openAlertsOf(id)).find((a) => a.kind === "looping"), "a looping alert");
    expect(alert.message).toBe("`npm test` failed 3 times in a row");
    await waitFor(async () => (await allEvents(id)).some((e) => e.type === "alert" && e.data.kind === "looping"), "the alert in the transcript");
    await waitFor(async () => (await listNotifications(starter.user.id, team)).notifications.some((n) => n.sessionId === id && n.body === alert.message), "the notification");
    // The scan sees the same loop: nothing new.
    expect((await scanAlerts(new Date(), { teamId: team, measure: NO_MEASURE })).raised).toBe(0);
    expect(await alertsOf(id)).toHaveLength(1);
  });

  it("stays quiet when the agent changes something between two runs", async () => {
    const { team, id } = await runningSession();
    await orchestrator.record(id, shellCall(1, "npm test"));
    await orchestrator.record(id, failed(1));
    await orchestrator.record(id, ev("tool.call", { callId: "e1", name: "edit_file", input: { path: "a.ts" } }));
    await orchestrator.record(id, ev("tool.result", { callId: "e1", isError: false, output: "ok", truncated: false, durationMs: 3 }));
    for (const n of [2, 3]) {
      await orchestrator.record(id, shellCall(n, "npm test"));
      await orchestrator.record(id, failed(n));
    }
    expect((await scanAlerts(new Date(), { teamId: team, measure: NO_MEASURE })).raised).toBe(0);
    expect(await alertsOf(id)).toEqual([]);
  });
});

describe("budget", () => {
  const spend = (usd: number) => ev("usage", { model: "claude-test", inputTokens: 100, outputTokens: 50, costUsd: usd });

  it("raises at 80 % of the session's budget once; a raised budget re-arms it", async () => {
    const { team, id } = await runningSession();
    await db().session.update({ where: { id }, data: { budgetUsd: 1 } });
    await orchestrator.record(id, spend(0.5));
    expect((await scanAlerts(new Date(), { teamId: team, measure: NO_MEASURE })).raised).toBe(0);

    await orchestrator.record(id, spend(0.32));
    const first = await waitFor(async () => (await openAlertsOf(id)).find((a) => a.kind === "budget"), "a budget alert");
    expect([first.title, first.message]).toEqual(["Budget at 80%: fix the flaky tests", "Spent $0.82 of its $1.00 budget"]);
    await orchestrator.record(id, spend(0.01));
    expect((await scanAlerts(new Date(), { teamId: team, measure: NO_MEASURE })).raised).toBe(0);

    await db().session.update({ where: { id }, data: { budgetUsd: 2 } });
    await orchestrator.record(id, spend(0.9));
    await waitFor(async () => (await alertsOf(id)).filter((a) => a.kind === "budget").length === 2, "a second budget alert");
    expect((await alertsOf(id)).map((a) => a.message)).toContain("Spent $1.73 of its $2.00 budget");
  });
});

describe("raiseAlert", () => {
  it("makes one alert and one notification of two concurrent raises with the same key", async () => {
    const { team, starter, id } = await runningSession();
    const input = { teamId: team, sessionId: id, kind: "disk" as const, title: "Disk nearly full: x", message: "Its disk is 95% full", key: `disk:${id}:race` };
    const results = await Promise.all([raiseAlert(input), raiseAlert(input), raiseAlert(input)]);
    expect(results.map((r) => r.created).sort()).toEqual([false, false, true]);
    expect(await alertsOf(id)).toHaveLength(1);
    expect(pushedTo(starter, id)).toHaveLength(1);
    expect((await allEvents(id)).filter((e) => e.type === "alert")).toHaveLength(1);
    // Even after a person resolved it, the same key raises nothing again.
    await db().alert.updateMany({ where: { sessionId: id }, data: { resolvedAt: new Date() } });
    expect(await raiseAlert(input)).toEqual({ created: false });
  });

  it("raises a routine's alert without a session, notified as the event it names", async () => {
    const team = await makeTeam();
    const watcher = await makeMember(team, "member");
    await db().notificationPref.create({ data: { userId: watcher.user.id, teamId: team, prefs: { events: ["routine.attention"], scope: "team", browser: false } } });
    expect(await raiseAlert({ teamId: team, sessionId: null, routineId: "r1", kind: "check", title: "Nightly check", message: "2 dependencies have advisories", key: `check:${team}:1`, notify: "routine.attention" })).toEqual({ created: true });
    const inbox = await listNotifications(watcher.user.id, team);
    expect(inbox.notifications.map((n) => [n.event, n.title, n.body])).toEqual([["routine.attention", "Nightly check", "2 dependencies have advisories"]]);
  });
});

describe("automatic resolution", () => {
  it("resolves a session's sandbox alerts when it ends, but not a check's verdict", async () => {
    const { team, id, t0 } = await runningSession();
    await db().session.update({ where: { id }, data: { budgetUsd: 1, costUsd: 0.9 } });
    expect((await scanAlerts(minutesAfter(t0, 30), { teamId: team, measure: NO_MEASURE })).raised).toBe(2);
    await raiseAlert({ teamId: team, sessionId: id, kind: "check", title: "Check", message: "attention", key: `check:${id}` });
    expect(await openAlertsOf(id)).toHaveLength(3);

    await orchestrator.record(id, ev("status", { status: "failed", reason: "the worker exited" }));
    await waitFor(async () => (await openAlertsOf(id)).length === 1, "the sandbox alerts to be resolved");
    expect((await openAlertsOf(id)).map((a) => a.kind)).toEqual(["check"]);
  });

  it("resolves them in the scan when the session ended without this process seeing it", async () => {
    const { team, id, t0 } = await runningSession();
    await scanAlerts(minutesAfter(t0, 30), { teamId: team, measure: NO_MEASURE });
    expect(await openAlertsOf(id)).toHaveLength(1);
    await db().session.update({ where: { id }, data: { status: "stopped" } });
    await scanAlerts(minutesAfter(t0, 31), { teamId: team, measure: NO_MEASURE });
    expect(await openAlertsOf(id)).toEqual([]);
  });
});

describe("memory and disk in the scan", () => {
  it("raises from the sandbox's measurements: memory once an hour, disk once a day", async () => {
    const { team, id, t0 } = await runningSession();
    await db().session.update({ where: { id }, data: { containerId: "c0ffee" } });
    const GB = 1024 ** 3;
    let memory = { used: 1 * GB, limit: 2 * GB };
    let disk = { used: 5 * GB, size: 10 * GB };
    const measure: Measure = { memory: async (c) => (c === "c0ffee" ? memory : null), disk: async (s) => (s === id ? disk : null) };
    // Two minutes after the last progress: not stuck.
    const now = minutesAfter(t0, 3);
    expect((await scanAlerts(now, { teamId: team, measure })).raised).toBe(0);

    memory = { used: 1.9 * GB, limit: 2 * GB };
    disk = { used: 9.5 * GB, size: 10 * GB };
    expect((await scanAlerts(now, { teamId: team, measure })).raised).toBe(2);
    expect((await openAlertsOf(id)).map((a) => [a.kind, a.message]).sort()).toEqual([
      ["disk", "Its disk is 95% full (9.5 GB of 10 GB): writes will soon fail"],
      ["memory", "The sandbox uses 1.9 GB of its 2 GB memory limit (95%): the agent's processes may be killed"],
    ]);
    expect((await scanAlerts(minutesAfter(now, 1), { teamId: team, measure })).raised).toBe(0);
    await scanAlerts(minutesAfter(now, 61), { teamId: team, measure });
    expect((await alertsOf(id)).filter((a) => a.kind === "memory")).toHaveLength(2);
    expect((await alertsOf(id)).filter((a) => a.kind === "disk")).toHaveLength(1);
  });
});
