// Notifications and webhooks on the real database: who is notified (prefs, scope, the actor
// left out), coalescing, the live push, the API and its authorization; webhooks delivered to a
// real local HTTP receiver (signature, retries with backoff, no redirects), and URLs that point
// at private addresses refused at creation and at delivery.
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DELETE as hookDelete } from "../../app/api/teams/[id]/webhooks/[hookId]/route";
import { GET as hooksGet, POST as hooksPost } from "../../app/api/teams/[id]/webhooks/route";
import { GET as notificationsGet } from "../../app/api/notifications/route";
import { POST as readPost } from "../../app/api/notifications/read/route";
import { GET as prefsGet, PUT as prefsPut } from "../../app/api/me/notification-prefs/route";
import type { Caller } from "../auth/caller";
import type { Role } from "../auth/roles";
import { createApiToken } from "../auth/tokens";
import { connectDb, db } from "../db/client";
import { ev, type NewEvent } from "../events/schema";
import { appendEvents } from "../events/store";
import { makeMember, makeSession, makeTeam } from "../history/test-fixtures";
import type { NotificationDto, NotificationPrefs } from "../protocol/permissions";
import { setPublisher } from "../realtime/bus";
import { setRuntime, type Runtime } from "../runtime/boot";
import { processDueDeliveries, startWebhookDelivery, type WebhookWorker } from "./delivery";
import { listNotifications } from "./inbox";
import { dispatch, notifyReview, notifySessionEvents, watchSession } from "./notify";
import { setPrefs } from "./prefs";
import { checkWebhookUrl } from "./webhook-url";
import { createWebhook, enqueueWebhooks } from "./webhooks";

const BASE = "http://dockside.test";
type Handler<P> = (req: Request, seg: { params: Promise<P> }) => Promise<Response>;

async function call<P>(handler: Handler<P>, token: string, method: string, params: P, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await handler(new Request(`${BASE}/api/x`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }), { params: Promise.resolve(params) });
  return { status: res.status, body: await res.json() };
}

const pushed: { userId: string; teamId: string; dto: NotificationDto }[] = [];

beforeAll(() => {
  connectDb(process.env.DATABASE_URL!);
  setRuntime({ orchestrator: undefined, health: async () => ({}) } as unknown as Runtime);
  setPublisher({ events: () => {}, session: () => {}, revoke: () => {}, notification: (userId, teamId, dto) => void pushed.push({ userId, teamId, dto }) });
});
afterAll(() => setPublisher(undefined));

async function append(sessionId: string, events: NewEvent[]) {
  return (await appendEvents(sessionId, events)).stored;
}

const mineOf = async (c: Caller, teamId: string) => (await listNotifications(c.user.id, teamId)).notifications;

describe("who is notified", () => {
  let team: string;
  let owner: Caller, admin: Caller, member: Caller, viewer: Caller;
  let session: string;

  beforeAll(async () => {
    team = await makeTeam();
    [owner, admin, member, viewer] = [await makeMember(team, "owner"), await makeMember(team, "admin"), await makeMember(team, "member"), await makeMember(team, "viewer")];
    // member started the session; admin watches everything in the team; viewer only wants failures of watched ones.
    session = await makeSession(team, { createdById: member.user.id, prompt: "Fix the flaky login test\nmore detail" });
    await setPrefs(admin.user.id, team, { events: ["session.idle", "session.failed", "session.needs_approval", "session.budget", "review.requested", "review.comment_addressed"], scope: "team", browser: true });
    await setPrefs(viewer.user.id, team, { events: ["session.failed"], scope: "watched", browser: false });
  });

  it("maps awaiting_approval, idle after a turn, failed and budget errors to events, by scope and prefs", async () => {
    pushed.length = 0;
    const approval = await append(session, [
      ev("status", { status: "running" }),
      ev("approval.requested", { approvalId: "a1", callId: "c1", kind: "tool", tool: "shell", input: { command: "git push" }, reason: "matches ask rule shell(git push*)" }),
      ev("status", { status: "awaiting_approval" }),
    ]);
    await notifySessionEvents(session, approval);
    // member (mine, default "watched" scope) and admin (team scope); owner has default prefs but
    // neither started nor watches it; viewer's prefs exclude approvals.
    const [m] = await mineOf(member, team);
    expect(m).toMatchObject({ event: "session.needs_approval", sessionId: session, title: "Needs approval: Fix the flaky login test", body: "shell: matches ask rule shell(git push*)", readAt: null });
    expect((await mineOf(admin, team)).map((n) => n.event)).toEqual(["session.needs_approval"]);
    expect(await mineOf(owner, team)).toEqual([]);
    expect(await mineOf(viewer, team)).toEqual([]);
    expect(pushed.map((p) => p.userId).sort()).toEqual([member.user.id, admin.user.id].sort());
    expect(pushed.every((p) => p.teamId === team)).toBe(true);

    // Watching brings the owner in (default scope: watched); viewer watches too but only wants failures.
    await watchSession(owner.user.id, session);
    await watchSession(owner.user.id, session); // idempotent
    await watchSession(viewer.user.id, session);
    await notifySessionEvents(session, await append(session, [ev("status", { status: "running" }), ev("status", { status: "idle" })]));
    expect((await mineOf(owner, team)).map((n) => n.event)).toEqual(["session.idle"]);
    expect(await mineOf(viewer, team)).toEqual([]);

    await notifySessionEvents(session, await append(session, [ev("error", { source: "host", message: "budget reached: $0.51 of $0.50 (session budget); raise it to continue" })]));
    expect((await mineOf(member, team))[0]).toMatchObject({ event: "session.budget", body: "budget reached: $0.51 of $0.50 (session budget); raise it to continue" });

    await notifySessionEvents(session, await append(session, [ev("status", { status: "failed", reason: "the worker exited with code 1" })]));
    expect((await mineOf(viewer, team)).map((n) => [n.event, n.body])).toEqual([["session.failed", "the worker exited with code 1"]]);
    // Opening the session reads what the person had unread about it.
    expect((await mineOf(viewer, team)).every((n) => n.readAt === null)).toBe(true);
    await watchSession(viewer.user.id, session);
    expect((await mineOf(viewer, team)).every((n) => n.readAt !== null)).toBe(true);
    expect((await mineOf(member, team)).map((n) => n.event)).toEqual(["session.failed", "session.budget", "session.idle", "session.needs_approval"]);
  });

  it("sends no idle notification for an idle that ends no turn, and ignores unrelated batches", async () => {
    const s = await makeSession(team, { createdById: member.user.id });
    await notifySessionEvents(s, await append(s, [ev("status", { status: "queued" }), ev("status", { status: "idle" })]));
    await notifySessionEvents(s, await append(s, [ev("assistant.text", { block: "b", text: "hi" }), ev("error", { source: "worker", message: "Checkpoint commit failed" })]));
    expect((await mineOf(member, team)).filter((n) => n.sessionId === s)).toEqual([]);
    // A previous status from an earlier batch counts: running (stored before), then idle alone.
    await append(s, [ev("status", { status: "running" })]);
    await notifySessionEvents(s, await append(s, [ev("status", { status: "idle" })]));
    expect((await mineOf(member, team)).filter((n) => n.sessionId === s).map((n) => n.event)).toEqual(["session.idle"]);
  });

  it("coalesces: one unread notification per person, session and event; a read one is kept and a new one starts", async () => {
    const s = await makeSession(team, { createdById: member.user.id, prompt: "many turns" });
    for (let i = 0; i < 5; i++) await notifySessionEvents(s, await append(s, [ev("status", { status: "running" }), ev("status", { status: "idle", reason: `turn ${i}` })]));
    let mine = (await mineOf(member, team)).filter((n) => n.sessionId === s);
    expect(mine).toHaveLength(1);
    expect(mine[0].body).toBe("turn 4");
    await db().notification.update({ where: { id: mine[0].id }, data: { readAt: new Date() } });
    await notifySessionEvents(s, await append(s, [ev("status", { status: "running" }), ev("status", { status: "idle", reason: "turn 5" })]));
    mine = (await mineOf(member, team)).filter((n) => n.sessionId === s);
    expect(mine.map((n) => [n.body, n.readAt === null])).toEqual([
      ["turn 5", true],
      ["turn 4", false],
    ]);
    // Concurrent notifications of the same thing still leave one unread row.
    await Promise.all(Array.from({ length: 6 }, (_, i) => dispatch({ teamId: team, sessionId: s, event: "session.failed", title: "Failed", body: `b${i}` })));
    expect(await db().notification.count({ where: { userId: member.user.id, sessionId: s, event: "session.failed", readAt: null } })).toBe(1);
  });

  it("never notifies the person who caused it (review events)", async () => {
    const s = await makeSession(team, { createdById: member.user.id, prompt: "review me" });
    await notifyReview(team, s, "review.requested", { id: admin.user.id, name: admin.user.name }, "please rename the helper");
    expect((await mineOf(member, team)).find((n) => n.sessionId === s)).toMatchObject({ event: "review.requested", title: "Changes requested: review me", body: `${admin.user.name} requested changes: please rename the helper` });
    expect((await mineOf(admin, team)).filter((n) => n.sessionId === s)).toEqual([]);
    // The creator resolving a thread notifies admin (team scope), not themself.
    await notifyReview(team, s, "review.comment_addressed", { id: member.user.id, name: member.user.name }, "src/a.ts:3");
    expect((await mineOf(admin, team)).filter((n) => n.sessionId === s).map((n) => n.event)).toEqual(["review.comment_addressed"]);
    expect((await mineOf(member, team)).filter((n) => n.sessionId === s).map((n) => n.event)).toEqual(["review.requested"]);
    // Another team's id: nothing.
    await notifyReview(await makeTeam(), s, "review.requested", null);
    expect((await mineOf(member, team)).filter((n) => n.sessionId === s)).toHaveLength(1);
  });

  it("never throws", async () => {
    await expect(notifySessionEvents("nosuchsession", [{ seq: 1, type: "status", ts: new Date().toISOString(), data: { status: "failed" } }])).resolves.toBeUndefined();
    await expect(watchSession("nobody", "nothing")).resolves.toBeUndefined();
  });
});

describe("notification API", () => {
  let team: string;
  let other: string;
  const tokens = {} as Record<Role | "outsider", string>;
  const callers = {} as Record<Role | "outsider", Caller>;
  let hook: string;

  beforeAll(async () => {
    team = await makeTeam();
    other = await makeTeam();
    for (const role of ["owner", "admin", "member", "viewer"] as const) {
      callers[role] = await makeMember(team, role);
      tokens[role] = (await createApiToken(callers[role].user.id, team, role)).token;
    }
    callers.outsider = await makeMember(other, "owner");
    tokens.outsider = (await createApiToken(callers.outsider.user.id, other, "outsider")).token;
  });

  it("lists the newest notifications with the unread count and marks some or all read", async () => {
    const s = await makeSession(team, { createdById: callers.viewer.user.id, prompt: "viewer's" });
    await dispatch({ teamId: team, sessionId: s, event: "session.idle", title: "Finished", body: "x" });
    await dispatch({ teamId: team, sessionId: s, event: "session.failed", title: "Failed", body: "y" });
    const list = await call(notificationsGet, tokens.viewer, "GET", {});
    expect(list.status).toBe(200);
    expect(list.body.unread).toBe(2);
    expect(list.body.notifications.map((n: NotificationDto) => n.event)).toEqual(["session.failed", "session.idle"]);
    // Someone else's ids are not theirs to mark.
    expect((await call(readPost, tokens.owner, "POST", {}, { ids: [list.body.notifications[0].id] })).body).toEqual({ updated: 0, unread: 0 });
    expect((await call(readPost, tokens.viewer, "POST", {}, { ids: [list.body.notifications[0].id] })).body).toEqual({ updated: 1, unread: 1 });
    expect((await call(readPost, tokens.viewer, "POST", {}, {})).body).toEqual({ updated: 1, unread: 0 });
    expect((await call(readPost, tokens.viewer, "POST", {}, { ids: "all" })).status).toBe(422);
    // The outsider's token sees its own team only.
    expect((await call(notificationsGet, tokens.outsider, "GET", {})).body).toEqual({ notifications: [], unread: 0 });
  });

  it("reads and saves prefs per person and team", async () => {
    const got = await call(prefsGet, tokens.member, "GET", {});
    expect(got.body).toEqual({ events: ["session.needs_approval", "session.idle", "session.failed", "session.budget", "review.requested", "review.comment_addressed", "session.alert", "routine.attention", "memory.proposed"], scope: "watched", browser: true });
    const prefs: NotificationPrefs = { events: ["session.failed", "session.failed"], scope: "mine", browser: false };
    expect((await call(prefsPut, tokens.member, "PUT", {}, prefs)).body).toEqual({ events: ["session.failed"], scope: "mine", browser: false });
    expect((await call(prefsGet, tokens.member, "GET", {})).body).toEqual({ events: ["session.failed"], scope: "mine", browser: false });
    expect((await call(prefsGet, tokens.admin, "GET", {})).body.scope).toBe("watched");
    expect((await call(prefsPut, tokens.member, "PUT", {}, { events: ["session.nope"], scope: "mine", browser: true })).status).toBe(422);
    expect((await call(prefsPut, tokens.member, "PUT", {}, { events: [], scope: "all", browser: true })).status).toBe(422);
  });

  it("lets admins and owners manage webhooks; members and viewers get 403, other teams 404", async () => {
    const create = { url: "https://203.0.113.7/hooks/dockside", events: ["session.failed", "session.idle"] };
    for (const who of ["member", "viewer"] as const) {
      expect((await call(hooksPost, tokens[who], "POST", { id: team }, create)).status).toBe(403);
      expect((await call(hooksGet, tokens[who], "GET", { id: team })).status).toBe(403);
    }
    expect((await call(hooksPost, tokens.outsider, "POST", { id: team }, create)).status).toBe(404);
    const made = await call(hooksPost, tokens.admin, "POST", { id: team }, create);
    expect(made.status).toBe(201);
    expect(made.body.secret).toMatch(/^[0-9a-f]{64}$/);
    hook = made.body.id;
    const row = await db().webhook.findUniqueOrThrow({ where: { id: hook } });
    expect(row.sealed).not.toContain(made.body.secret);
    const given = await call(hooksPost, tokens.owner, "POST", { id: team }, { ...create, events: ["*", "session.idle"], secret: "a-secret-of-my-own-choosing" });
    expect(given.body.secret).toBe("a-secret-of-my-own-choosing");

    const list = await call(hooksGet, tokens.owner, "GET", { id: team });
    expect(list.status).toBe(200);
    expect(list.body.webhooks.map((w: { url: string; events: string[] }) => [w.url, w.events])).toEqual([
      ["https://203.0.113.7/hooks/dockside", ["session.failed", "session.idle"]],
      ["https://203.0.113.7/hooks/dockside", ["*"]],
    ]);
    expect(JSON.stringify(list.body)).not.toContain(made.body.secret);
    expect(JSON.stringify(list.body)).not.toContain("a-secret-of-my-own-choosing");
    expect((await call(hooksGet, tokens.outsider, "GET", { id: team })).status).toBe(404);

    expect((await call(hookDelete, tokens.member, "DELETE", { id: team, hookId: hook })).status).toBe(403);
    expect((await call(hookDelete, tokens.outsider, "DELETE", { id: other, hookId: hook })).status).toBe(404);
    expect((await call(hookDelete, tokens.admin, "DELETE", { id: team, hookId: hook })).status).toBe(200);
    expect((await call(hookDelete, tokens.admin, "DELETE", { id: team, hookId: hook })).status).toBe(404);
    await call(hookDelete, tokens.admin, "DELETE", { id: team, hookId: given.body.id });
  });

  it("refuses webhook URLs that point at private addresses (422), bad schemes and userinfo", async () => {
    for (const url of ["http://127.0.0.1:9/x", "http://10.1.2.3/x", "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "http://[::ffff:192.168.1.1]/x", "http://localhost/x"]) {
      const r = await call(hooksPost, tokens.admin, "POST", { id: team }, { url, events: ["*"] });
      expect(r.status, url).toBe(422);
      expect(r.body.error.message, url).toMatch(/^webhook URLs may not point at loopback, private or link-local addresses \(/);
    }
    expect((await call(hooksPost, tokens.admin, "POST", { id: team }, { url: "ftp://203.0.113.7/x", events: ["*"] })).body.error.message).toMatch(/http:\/\/ or https:\/\//);
    expect((await call(hooksPost, tokens.admin, "POST", { id: team }, { url: "https://me:pw@203.0.113.7/x", events: ["*"] })).body.error.message).toMatch(/user name or password/);
    expect((await call(hooksPost, tokens.admin, "POST", { id: team }, { url: "https://203.0.113.7/x", events: ["session.nope"] })).status).toBe(422);
    expect(await db().webhook.count({ where: { teamId: team } })).toBe(0);
  });
});

describe("webhook URL checks", () => {
  const lookup = (answers: Record<string, string[]>) => async (host: string) => (answers[host] ?? []).map((address) => ({ address, family: (address.includes(":") ? 6 : 4) as 4 | 6 }));

  it("refuses a name when any address it resolves to is private, unless allowPrivate", async () => {
    const l = lookup({ "mixed.example": ["203.0.113.9", "10.0.0.5"], "public.example": ["203.0.113.9"] });
    await expect(checkWebhookUrl("https://mixed.example/h", { lookup: l, allowPrivate: false })).rejects.toThrow(/mixed\.example is 10\.0\.0\.5: a private address/);
    await expect(checkWebhookUrl("https://mixed.example/h", { lookup: l, allowPrivate: true })).resolves.toMatchObject({ address: { address: "203.0.113.9" } });
    await expect(checkWebhookUrl("https://public.example/h", { lookup: l, allowPrivate: false })).resolves.toMatchObject({ address: { address: "203.0.113.9", family: 4 } });
    await expect(checkWebhookUrl("https://nowhere.example/h", { lookup: l })).rejects.toThrow(/does not resolve/);
    await expect(checkWebhookUrl("http://127.0.0.1:8080/h", { allowPrivate: true })).resolves.toMatchObject({ address: { address: "127.0.0.1" } });
    await expect(checkWebhookUrl("http://127.0.0.1:8080/h", { allowPrivate: false })).rejects.toMatchObject({ name: "AppError", code: "invalid" });
  });

  it("creation follows the explicit allowPrivate", async () => {
    const team = await makeTeam();
    const admin = await makeMember(team, "admin");
    const access = { caller: admin, teamId: team, role: "admin" as const };
    await expect(createWebhook(access, { url: "http://127.0.0.1:1/h", events: ["*"] }, { allowPrivate: false })).rejects.toMatchObject({ code: "invalid" });
    await expect(createWebhook(access, { url: "http://127.0.0.1:1/h", events: ["*"] }, { allowPrivate: true })).resolves.toMatchObject({ id: expect.any(String) });
  });
});

describe("webhook delivery", () => {
  interface Hit {
    headers: http.IncomingHttpHeaders;
    body: string;
    url: string;
  }
  let receiver: http.Server;
  let port: number;
  const hits: Hit[] = [];
  let answers: number[] = [];
  let worker: WebhookWorker | undefined;

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        hits.push({ headers: req.headers, body, url: req.url ?? "" });
        const status = answers.shift() ?? 200;
        if (status === 302) res.writeHead(302, { location: "/elsewhere" }).end();
        else res.writeHead(status, { "content-type": "text/plain" }).end(status >= 300 ? "receiver says no" : "ok");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    port = (receiver.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    hits.length = 0;
    answers = [];
  });
  afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

  async function hookFor(path: string, events: ("session.failed" | "*")[] = ["*"], host = "127.0.0.1") {
    const team = await makeTeam();
    const admin = await makeMember(team, "admin");
    const made = await createWebhook({ caller: admin, teamId: team, role: "admin" }, { url: `http://${host}:${port}${path}`, events }, { allowPrivate: true, lookup: async () => [{ address: "127.0.0.1", family: 4 }] });
    return { team, admin, ...made };
  }

  async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
    const start = Date.now();
    for (;;) {
      const v = await what();
      if (ok(v)) return v;
      if (Date.now() - start > ms) throw new Error(`timed out; last: ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it("delivers a signed JSON body the receiver can verify, for the events it subscribed to", async () => {
    const { team, secret, id } = await hookFor("/signed", ["session.failed"]);
    const member = await makeMember(team, "member");
    const s = await makeSession(team, { createdById: member.user.id, prompt: "deploy the thing" });
    await notifySessionEvents(s, await append(s, [ev("status", { status: "running" }), ev("status", { status: "idle" })])); // not subscribed
    await notifySessionEvents(s, await append(s, [ev("status", { status: "failed", reason: "out of memory" })]));
    worker = startWebhookDelivery({ allowPrivate: true, intervalMs: 50 });
    const d = await until(() => db().webhookDelivery.findMany({ where: { webhookId: id } }), (rows) => rows.length === 1 && rows[0].status === "delivered");
    expect(d[0]).toMatchObject({ event: "session.failed", attempts: 1, lastStatus: 200, lastError: null, nextAttemptAt: null });
    expect(hits).toHaveLength(1);
    const hit = hits[0];
    expect(hit.url).toBe("/signed");
    expect(hit.headers["content-type"]).toBe("application/json");
    expect(hit.headers["x-dockside-event"]).toBe("session.failed");
    expect(hit.headers["x-dockside-delivery"]).toBe(d[0].id);
    const expected = `sha256=${crypto.createHmac("sha256", secret).update(hit.body).digest("hex")}`;
    expect(crypto.timingSafeEqual(Buffer.from(String(hit.headers["x-dockside-signature"])), Buffer.from(expected))).toBe(true);
    const body = JSON.parse(hit.body);
    expect(body).toMatchObject({ event: "session.failed", sessionId: s, teamId: team, title: "Failed: deploy the thing", body: "out of memory", url: expect.stringMatching(new RegExp(`/sessions/${s}$`)) });
    expect(Date.parse(body.at)).not.toBeNaN();
  });

  it("retries with backoff: 500, 500, then 200 is three attempts and delivered", async () => {
    const { team, id } = await hookFor("/flaky");
    answers = [500, 500, 200];
    await enqueueWebhooks({ event: "session.idle", sessionId: null, teamId: team, title: "t", body: "b", url: null, at: new Date().toISOString() });
    const started = Date.now();
    worker = startWebhookDelivery({ allowPrivate: true, intervalMs: 20, backoffMs: [150, 150, 150] });
    // After the first failure the row waits for its backoff, with the receiver's answer recorded.
    const waiting = await until(() => db().webhookDelivery.findFirstOrThrow({ where: { webhookId: id } }), (r) => r.attempts >= 1 && r.status === "pending" && r.lastStatus === 500);
    expect(waiting.lastError).toBe("HTTP 500: receiver says no");
    expect(waiting.nextAttemptAt).not.toBeNull();
    const done = await until(() => db().webhookDelivery.findFirstOrThrow({ where: { webhookId: id } }), (r) => r.status !== "pending");
    expect(done).toMatchObject({ status: "delivered", attempts: 3, lastStatus: 200, lastError: null });
    expect(hits).toHaveLength(3);
    expect(new Set(hits.map((h) => h.headers["x-dockside-delivery"])).size).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it("gives up after the last attempt, does not follow redirects, and records why", async () => {
    const { team, id } = await hookFor("/moved");
    answers = [302, 302, 302];
    await enqueueWebhooks({ event: "session.failed", sessionId: null, teamId: team, title: "t", body: "b", url: null, at: new Date().toISOString() });
    worker = startWebhookDelivery({ allowPrivate: true, intervalMs: 20, backoffMs: [10, 10] });
    const done = await until(() => db().webhookDelivery.findFirstOrThrow({ where: { webhookId: id } }), (r) => r.status !== "pending");
    expect(done).toMatchObject({ status: "failed", attempts: 3, lastStatus: 302, lastError: "HTTP 302: redirects are not followed", nextAttemptAt: null });
    expect(hits.map((h) => h.url)).toEqual(["/moved", "/moved", "/moved"]);
  });

  it("checks the URL again at delivery: a private address is refused unless allowed", async () => {
    const { team, id } = await hookFor("/private");
    await enqueueWebhooks({ event: "session.failed", sessionId: null, teamId: team, title: "t", body: "b", url: null, at: new Date().toISOString() });
    expect(await processDueDeliveries({ allowPrivate: false, backoffMs: [0] })).toBeGreaterThanOrEqual(1);
    const refused = await db().webhookDelivery.findFirstOrThrow({ where: { webhookId: id } });
    expect(refused).toMatchObject({ status: "pending", attempts: 1, lastStatus: null });
    expect(refused.lastError).toMatch(/may not point at loopback, private or link-local addresses \(127\.0\.0\.1 is 127\.0\.0\.1: a loopback address\)/);
    expect(hits).toHaveLength(0);
    await db().webhook.delete({ where: { id } }); // its retry must not reach the next test's receiver
  });

  it("connects to the address it checked (the name is resolved once, by the check)", async () => {
    const team = await makeTeam();
    const admin = await makeMember(team, "admin");
    const lookups: string[] = [];
    const lookup = async (host: string) => (lookups.push(host), [{ address: "127.0.0.1", family: 4 as const }]);
    const { id } = await createWebhook({ caller: admin, teamId: team, role: "admin" }, { url: `http://hooks.dockside.invalid:${port}/pinned`, events: ["*"] }, { allowPrivate: true, lookup });
    await enqueueWebhooks({ event: "session.idle", sessionId: null, teamId: team, title: "t", body: "b", url: null, at: new Date().toISOString() });
    await processDueDeliveries({ allowPrivate: true, lookup });
    expect(await db().webhookDelivery.findFirstOrThrow({ where: { webhookId: id } })).toMatchObject({ status: "delivered" });
    expect(hits.map((h) => [h.url, h.headers.host])).toEqual([["/pinned", `hooks.dockside.invalid:${port}`]]);
    expect(lookups).toEqual(["hooks.dockside.invalid", "hooks.dockside.invalid"]); // creation, delivery: once each
  });

  it("picks up pending deliveries stored before it started (a restart), and lists them with the webhook", async () => {
    const { team, id, admin } = await hookFor("/restart");
    await db().webhookDelivery.create({ data: { id: crypto.randomUUID(), webhookId: id, event: "session.idle", body: JSON.stringify({ event: "session.idle" }), attempts: 2, nextAttemptAt: new Date(Date.now() - 60_000) } });
    worker = startWebhookDelivery({ allowPrivate: true, intervalMs: 20 });
    await until(() => db().webhookDelivery.findFirstOrThrow({ where: { webhookId: id } }), (r) => r.status === "delivered");
    const { listWebhooks } = await import("./webhooks");
    const list = await listWebhooks({ caller: admin, teamId: team, role: "admin" });
    expect(list.webhooks[0].deliveries).toEqual([expect.objectContaining({ event: "session.idle", status: "delivered", attempts: 3, lastStatus: 200, nextAttemptAt: null })]);
  });
});
