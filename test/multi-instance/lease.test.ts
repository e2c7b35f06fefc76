// Session leases between real processes on one database: two contenders (each its own process
// and instance) ask for the same sessions; exactly one holds each. A holder killed with SIGKILL
// loses its sessions to the other with a higher epoch; a holder frozen (SIGSTOP) past its lease
// comes back to find its fenced writes refused and its leases reported lost.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { afterAll, beforeAll, expect, it } from "vitest";
import { connectDb, db } from "../../lib/db/client";
import { acquireLease, leaseHolder, orphanedSessions, releaseLease } from "../../lib/runner/lease";
import { stopInstance } from "../../lib/runner/instance";
import { DEFAULT_TEAM_ID, ensureDefaultTeam } from "../../lib/sessions/team";
import { waitFor } from "../fixtures";
import { createDatabase } from "../http-harness";

const ROOT = path.resolve(import.meta.dirname, "../..");
type Msg = { t: string; [k: string]: unknown };

interface Contender {
  name: string;
  child: ChildProcess;
  messages: Msg[];
  held(): Record<string, number>;
  send(line: string): void;
}

let databaseUrl = "";
const children: ChildProcess[] = [];

beforeAll(async () => {
  databaseUrl = await createDatabase("lease");
  connectDb(databaseUrl);
  await ensureDefaultTeam();
});
afterAll(async () => {
  await stopInstance();
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill("SIGCONT");
      c.kill("SIGKILL");
    }
  }
});

function contender(name: string, sessions: string[]): Contender {
  const child = spawn(process.execPath, ["--import", "tsx", "test/multi-instance/lease-contender.ts", sessions.join(",")], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, DOCKSIDE_INSTANCE_ID: `${name}-${process.pid}` },
    stdio: ["pipe", "pipe", "inherit"],
  });
  children.push(child);
  const messages: Msg[] = [];
  readline.createInterface({ input: child.stdout! }).on("line", (l) => {
    try {
      messages.push(JSON.parse(l) as Msg);
    } catch {
      /* not ours */
    }
  });
  return {
    name,
    child,
    messages,
    held: () => (messages.filter((m) => m.t === "held").at(-1)?.leases as Record<string, number>) ?? {},
    send: (line) => void child.stdin!.write(`${line}\n`),
  };
}

async function makeSessions(n: number, tag: string): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `lease${tag}${i}`.padEnd(12, "x"));
  for (const id of ids) {
    await db().session.create({ data: { id, teamId: DEFAULT_TEAM_ID, repo: "/nowhere", baseBranch: "main", branch: `dockside/${id.slice(0, 8)}`, prompt: "p", model: "m", status: "idle" } });
  }
  return ids;
}

async function leases(ids: string[]): Promise<Map<string, { instance: string; epoch: number }>> {
  const rows = await db().sessionLease.findMany({ where: { sessionId: { in: ids } } });
  return new Map(rows.map((r) => [r.sessionId, { instance: r.instanceId, epoch: Number(r.epoch) }]));
}

const ready = (c: Contender) => waitFor(async () => c.messages.some((m) => m.t === "ready"), `${c.name} to start`, 60_000);

it("gives each session to exactly one of two contending processes, and the other takes over after SIGKILL with a higher epoch", async () => {
  const ids = await makeSessions(6, "k");
  const a = contender("a", ids);
  const b = contender("b", ids);
  await Promise.all([ready(a), ready(b)]);
  // Both have tried every session several times.
  await waitFor(async () => (await leases(ids)).size === ids.length, "every session leased", 30_000);
  await new Promise((r) => setTimeout(r, 2_000));
  const before = await leases(ids);
  const ha = a.held();
  const hb = b.held();
  for (const id of ids) {
    expect(id in ha !== id in hb, `${id} held by exactly one (a: ${JSON.stringify(ha)}, b: ${JSON.stringify(hb)})`).toBe(true);
    // Nobody took anything from a live holder: every lease is still at its first epoch.
    expect(before.get(id)!.epoch).toBe(1);
  }

  // Kill whoever holds the first session; the survivor must end up with all of them.
  const holder = before.get(ids[0])!.instance.startsWith("a-") ? a : b;
  const survivor = holder === a ? b : a;
  const killedAt = Date.now();
  holder.child.kill("SIGKILL");
  const after = await waitFor(async () => {
    const now = await leases(ids);
    return [...now.values()].every((l) => l.instance.startsWith(`${survivor.name}-`)) ? now : null;
  }, "the survivor to take every session", 45_000);
  console.log(`[lease] takeover after SIGKILL: ${Date.now() - killedAt} ms`);
  for (const id of ids) {
    const was = before.get(id)!;
    if (was.instance.startsWith(`${holder.name}-`)) expect(after.get(id)!.epoch).toBe(was.epoch + 1);
    else expect(after.get(id)!.epoch).toBe(was.epoch);
  }
  survivor.child.kill("SIGKILL");
});

it("refuses a frozen holder's fenced write after another process took the session over, and reports the lease lost", async () => {
  const ids = await makeSessions(1, "s");
  const a = contender("fa", ids);
  await ready(a);
  await waitFor(async () => a.held()[ids[0]] === 1, "fa to hold the session", 30_000);
  a.send(`write ${ids[0]} 1`);
  await waitFor(async () => a.messages.find((m) => m.t === "write"), "fa's first write", 30_000);
  expect(a.messages.find((m) => m.t === "write")).toMatchObject({ ok: true });

  // Freeze the holder (a long GC pause, a suspended VM): its heartbeat and renewals stop.
  a.child.kill("SIGSTOP");
  const b = contender("fb", ids);
  await ready(b);
  await waitFor(async () => b.held()[ids[0]] === 2, "fb to take the session at epoch 2", 45_000);

  a.child.kill("SIGCONT");
  a.send(`write ${ids[0]} 1`);
  const refused = await waitFor(async () => a.messages.filter((m) => m.t === "write")[1], "fa's stale write", 30_000);
  expect(refused).toMatchObject({ ok: false });
  expect(String(refused.error)).toMatch(/another Dockside instance/);
  await waitFor(async () => a.messages.find((m) => m.t === "lost" && m.sessionId === ids[0]), "fa to find its lease lost", 30_000);
  // The session keeps what its real holder wrote, not the stale one's.
  expect((await db().session.findUnique({ where: { id: ids[0] } }))!.stopReason).toContain("fa-");
  b.send(`write ${ids[0]} 2`);
  await waitFor(async () => b.messages.find((m) => m.t === "write"), "fb's write", 30_000);
  expect((await db().session.findUnique({ where: { id: ids[0] } }))!.stopReason).toContain("fb-");
  // And the frozen one never takes it back while fb is alive.
  expect(a.held()[ids[0]]).toBeUndefined();
});

it("lists active sessions whose holder is dead or missing as orphaned, and not once a live instance holds them", async () => {
  const ids = await makeSessions(3, "o");
  await db().session.updateMany({ where: { id: { in: ids } }, data: { status: "running" } });
  await db().session.update({ where: { id: ids[2] }, data: { status: "stopped" } });
  // ids[0]: held by an instance that never beat (a dead machine); ids[1]: never leased.
  await db().sessionLease.create({ data: { sessionId: ids[0], instanceId: "gone-instance", epoch: 4n, expiresAt: new Date(Date.now() + 3_600_000) } });
  const orphaned = (await orphanedSessions(["running", "idle"])).filter((id) => ids.includes(id));
  expect(orphaned).toEqual([ids[0], ids[1]]);
  expect(await acquireLease(ids[0])).toEqual({ sessionId: ids[0], epoch: 5 });
  expect((await leaseHolder(ids[0]))).toMatchObject({ alive: true, mine: true, epoch: 5 });
  expect((await orphanedSessions(["running", "idle"])).filter((id) => ids.includes(id))).toEqual([ids[1]]);
  await releaseLease(ids[0]);
  expect(await leaseHolder(ids[0])).toMatchObject({ alive: false, epoch: 6 });
});
